/**
 * HubSpot contact properties that config files may name without declaring them: HubSpot's
 * standard properties leadloop uses, the portal's custom properties the README documents
 * (lead source, BANT, demo, ...), and the synthetic ones routing adds (leadloop_grade/score).
 */
export const STANDARD_CONTACT_PROPERTIES = [
  'hs_object_id', 'email', 'firstname', 'lastname', 'jobtitle', 'company', 'phone', 'mobilephone', 'website',
  'country', 'state', 'city', 'zip', 'address', 'industry', 'numemployees', 'annualrevenue', 'lifecyclestage',
  'hs_lead_status', 'hs_email_domain', 'createdate', 'lastmodifieddate', 'hs_lastmodifieddate', 'hs_analytics_source',
  'hs_analytics_source_data_1', 'hs_analytics_source_data_2', 'hs_latest_source', 'hs_analytics_num_page_views',
  'hs_analytics_num_visits', 'hs_analytics_last_visit_timestamp', 'hs_email_open', 'hs_email_click',
  'hs_email_last_open_date', 'hs_email_last_click_date', 'hs_email_bounce', 'hs_email_delivered',
  'num_conversion_events', 'recent_conversion_event_name', 'recent_conversion_date', 'first_conversion_event_name',
  'hubspot_owner_id', 'associatedcompanyid', 'hubspotscore',
] as const;

export const DOCUMENTED_CUSTOM_PROPERTIES = [
  'lead_source', 'lead_source_detail', 'lead_source_date', 'content_downloads', 'last_content_download_date',
  'webinar_attended_date', 'demo_requested_date', 'demo_watched', 'demo_watched_date', 'bant_budget',
  'bant_authority', 'bant_need', 'bant_timeline', 'product_interest', 'estimated_deal_size',
] as const;

export const ROUTING_SYNTHETIC_PROPERTIES = ['leadloop_grade', 'leadloop_score'] as const;
