import { EMPLOYEE_BANDS } from '../hubspot/properties.ts';
import { SeededRandom } from '../rng.ts';

/**
 * Realistic HubSpot contacts for a B2B software company, deterministic from the seed: every
 * lead source (named trade shows with dates, web forms, demo requests, webinars, ads, content),
 * firmographics, engagement counters with dates, BANT answers — and the dirt real CRMs hold:
 * personal and malformed emails, students, competitors, duplicates by email, unicode names,
 * quotes and backslashes, very long values.
 */
export interface GeneratedContact {
  properties: Record<string, string | null>;
  /** When the contact was last modified (its lastmodifieddate). */
  at: number;
}

const FIRST = [
  'Ana',
  'Ben',
  'Chloé',
  'Dmitri',
  'Emma',
  'Fatima',
  'Gustavo',
  'Hana',
  'Ivan',
  'Jürgen',
  'Kenji',
  'Laura',
  'Mohammed',
  'Nora',
  'Olivia',
  'Pedro',
  'Priya',
  'Quentin',
  'Rosa',
  'Sven',
  'Tomás',
  'Uma',
  'Wei',
  'Yusuf',
  'Zoë',
  'Łukasz',
  'Søren',
  'Aoife',
  "D'Arcy",
  'Björn',
];
const LAST = [
  'Smith',
  'García',
  'Müller',
  'Nguyen',
  'Okafor',
  "O'Brien",
  'Rossi',
  'Dubois',
  'Kowalski',
  'Tanaka',
  'Johansson',
  'Silva',
  'Khan',
  'Novák',
  'Ødegaard',
  'van der Berg',
  'Papadopoulos',
  'Chen',
  'Ivanova',
  'Fernández',
  "O'Neil\\",
  'Smith-Jones',
];
const COMPANY_WORDS = [
  'Acme',
  'Globex',
  'Initech',
  'Umbrella',
  'Northwind',
  'Contoso',
  'Fabrikam',
  'Hooli',
  'Vandelay',
  'Stark',
  'Wayne',
  'Tyrell',
  'Cyberdyne',
  'Soylent',
  'Wonka',
  'Oscorp',
  'Aperture',
  'Massive',
  'Dunder',
  'Pied Piper',
];
const COMPANY_SUFFIX = ['Analytics', 'Logistics', 'Bank', 'Health', 'Retail', 'Systems', 'Software', 'Industries', 'Insurance', 'Labs', 'Group', 'Partners'];
const TLDS = ['example', 'example.com', 'example.de', 'example.co.uk', 'example.fr'];
const TITLES: [string, number][] = [
  ['Chief Technology Officer', 2],
  ['CFO', 1],
  ['VP of Sales', 3],
  ['VP Engineering', 2],
  ['Head of Data', 4],
  ['Director of Analytics', 5],
  ['Director, Business Intelligence', 3],
  ['Analytics Manager', 8],
  ['Marketing Manager', 6],
  ['IT Manager', 5],
  ['Data Analyst', 12],
  ['Software Engineer', 10],
  ['Consultant', 5],
  ['Support Team Lead', 2],
  ['Student', 3],
  ['PhD Student', 1],
  ['Intern', 2],
  ['Owner', 3],
];
const INDUSTRY: [string, number][] = [
  ['COMPUTER_SOFTWARE', 20],
  ['INFORMATION_TECHNOLOGY_AND_SERVICES', 14],
  ['INTERNET', 8],
  ['COMPUTER_NETWORK_SECURITY', 3],
  ['FINANCIAL_SERVICES', 9],
  ['BANKING', 6],
  ['INSURANCE', 4],
  ['HOSPITAL_HEALTH_CARE', 7],
  ['RETAIL', 8],
  ['MANUFACTURING', 8],
  ['EDUCATION_MANAGEMENT', 4],
  ['MARKETING_AND_ADVERTISING', 5],
  ['TELECOMMUNICATIONS', 3],
  ['LOGISTICS_AND_SUPPLY_CHAIN', 4],
];
const COUNTRIES: [[string, string | null], number][] = [
  [['United States', 'California'], 16],
  [['United States', 'New York'], 10],
  [['United States', 'Texas'], 8],
  [['Canada', 'Ontario'], 5],
  [['United Kingdom', null], 9],
  [['Germany', null], 9],
  [['France', null], 7],
  [['Netherlands', null], 4],
  [['Spain', null], 4],
  [['Italy', null], 3],
  [['Sweden', null], 2],
  [['Ireland', null], 2],
  [['Japan', null], 3],
  [['Australia', null], 3],
  [['Singapore', null], 2],
  [['India', null], 4],
  [['Brazil', null], 3],
];
export const TRADE_SHOWS = [
  { name: 'SaaStr Annual 2026', date: '2026-09-09' },
  { name: 'Dreamforce 2026', date: '2026-10-13' },
  { name: 'Web Summit 2026', date: '2026-11-09' },
  { name: 'Big Data London 2026', date: '2026-09-24' },
];
const WEBINARS = ['Modern BI webinar (Oct 2026)', 'Data quality in practice (Nov 2026)', 'Analytics for finance teams (Sep 2026)'];
const CONTENT = ['Analytics for retail e-book', 'State of BI 2026 report', 'Dashboard design guide'];
const SOURCES: [string, number][] = [
  ['trade_show', 12],
  ['event', 3],
  ['demo_request', 6],
  ['web_form', 22],
  ['webinar', 12],
  ['content_download', 20],
  ['paid_ads', 15],
  ['referral', 4],
  ['other', 6],
];
const PERSONAL_DOMAINS = ['gmail.com', 'yahoo.com', 'hotmail.com', 'outlook.com', 'icloud.com', 'gmx.de'];
const COMPETITOR_DOMAINS = ['rivalytics.example', 'datapeak.example'];
const DAY = 86_400_000;

/** Companies are reused, so several contacts share a domain and account matching has work to do. */
function companyOf(index: number): { name: string; domain: string } {
  const word = COMPANY_WORDS[index % COMPANY_WORDS.length]!;
  const suffix = COMPANY_SUFFIX[Math.floor(index / COMPANY_WORDS.length) % COMPANY_SUFFIX.length]!;
  const tld = TLDS[Math.floor(index / (COMPANY_WORDS.length * COMPANY_SUFFIX.length)) % TLDS.length]!;
  const generation = Math.floor(index / (COMPANY_WORDS.length * COMPANY_SUFFIX.length * TLDS.length));
  const slug = `${word}-${suffix}`.toLowerCase().replace(/[^a-z0-9]+/g, '-');
  return { name: `${word} ${suffix}${generation ? ` ${generation + 1}` : ''}`, domain: `${slug}${generation ? generation + 1 : ''}.${tld}` };
}

/**
 * What HubSpot records by itself about where a contact came from, consistent with its source:
 * the original traffic source with its drill-downs (a booth-scan list is an OFFLINE import named
 * after the show), the first and most recent conversion (form) with their dates, the latest
 * source, and the last email open. Every portal has these, a vanilla one too. Some contacts
 * requested a demo lately whatever their source (hand-raisers): their recent conversion says so.
 */
function hubspotAttribution(p: Record<string, string | null>, source: string, created: number, modified: number, r: SeededRandom): Record<string, string | null> {
  const iso = (t: number) => new Date(t).toISOString();
  const a: Record<string, string | null> = {};
  const convert = (name: string, at: number) => {
    if (!a.first_conversion_event_name) {
      a.first_conversion_event_name = name;
      a.first_conversion_date = iso(at);
    }
    a.recent_conversion_event_name = name;
    a.recent_conversion_date = iso(at);
  };
  const detail = p.lead_source_detail ?? '';
  switch (source) {
    case 'trade_show':
    case 'event': {
      const scannedAt = Date.parse(p.lead_source_date ?? iso(created));
      a.hs_analytics_source = 'OFFLINE';
      if (r.chance(0.7)) {
        // The booth's scanner list (or the event's attendee list), imported after the show under its name.
        a.hs_analytics_source_data_1 = 'IMPORT';
        a.hs_analytics_source_data_2 = source === 'event' ? `${detail} attendees` : `${detail} booth scans`;
      } else {
        // The badge-scanner app posts a form at the booth.
        a.hs_analytics_source_data_1 = 'INTEGRATION';
        a.hs_analytics_source_data_2 = 'Badge scanner';
        convert(`Booth scan: ${detail}`, scannedAt);
      }
      break;
    }
    case 'demo_request':
      a.hs_analytics_source = r.pick(['ORGANIC_SEARCH', 'DIRECT_TRAFFIC', 'SOCIAL_MEDIA']);
      convert('Request a demo', Date.parse(p.demo_requested_date ?? iso(created)));
      break;
    case 'web_form':
      a.hs_analytics_source = r.pick(['ORGANIC_SEARCH', 'DIRECT_TRAFFIC', 'SOCIAL_MEDIA']);
      convert(detail || 'Contact us form', created);
      break;
    case 'webinar':
      a.hs_analytics_source = 'EMAIL_MARKETING';
      a.hs_analytics_source_data_1 = 'Webinar invitation';
      convert(`Webinar registration: ${detail}`, Math.min(created, Date.parse(p.webinar_attended_date ?? iso(created))));
      break;
    case 'content_download':
      a.hs_analytics_source = 'ORGANIC_SEARCH';
      convert(`Download: ${detail}`, created);
      break;
    case 'paid_ads':
      a.hs_analytics_source = detail.startsWith('LinkedIn') ? 'PAID_SOCIAL' : 'PAID_SEARCH';
      a.hs_analytics_source_data_1 = detail.startsWith('LinkedIn') ? 'LinkedIn' : 'google';
      a.hs_analytics_source_data_2 = detail;
      if (r.chance(0.4)) convert('Pricing page form', created);
      break;
    case 'referral':
      a.hs_analytics_source = 'REFERRALS';
      a.hs_analytics_source_data_1 = r.pick(['partner.example', 'g2.example', 'capterra.example']);
      break;
    default:
      a.hs_analytics_source = r.pick(['DIRECT_TRAFFIC', 'OTHER_CAMPAIGNS']);
  }
  a.hs_analytics_source_data_1 ??= a.hs_analytics_source === 'ORGANIC_SEARCH' ? 'google' : null;
  a.hs_latest_source = a.hs_analytics_source;
  a.hs_latest_source_timestamp = iso(modified);
  if (source !== 'demo_request' && r.chance(0.02)) {
    // A hand-raiser: first came another way, lately asked for a demo.
    a.hs_latest_source = 'DIRECT_TRAFFIC';
    convert('Request a demo', Math.max(created, modified - r.int(0, 10) * DAY));
  }
  const conversions = a.first_conversion_event_name ? (a.first_conversion_event_name === a.recent_conversion_event_name ? 1 : 2) : 0;
  a.num_conversion_events = String(conversions + (conversions > 0 && r.chance(0.3) ? r.int(1, 3) : 0));
  a.num_unique_conversion_events = String(conversions);
  if (Number(p.hs_email_click) > 0) a.hs_email_last_open_date = iso(modified - r.int(0, 20) * DAY);
  return a;
}

/** Dates are relative to `now` (default: the current time), so a seed always gives the same data relative to its start. */
export function generateContacts(n: number, seed: number, now = Date.now()): GeneratedContact[] {
  const r = new SeededRandom(seed * 7919 + 17);
  // A stream of its own, so what HubSpot records by itself leaves the other values of a seed as they were.
  const attribution = new SeededRandom(seed * 104_729 + 3);
  const companies = Math.max(20, Math.ceil(n / 4));
  const out: GeneratedContact[] = [];
  const iso = (t: number) => new Date(t).toISOString();
  for (let i = 0; i < n; i++) {
    const first = r.pick(FIRST);
    const last = r.pick(LAST);
    const company = companyOf(r.int(0, companies - 1));
    const title = r.weighted(TITLES);
    const source = r.weighted(SOURCES);
    const [country, state] = r.weighted(COUNTRIES);
    const created = now - r.int(1, 90) * DAY - r.int(0, DAY - 1);
    const modified = Math.min(now - r.int(0, 3_600_000), created + r.int(0, 30) * DAY + r.int(0, DAY - 1));
    const local =
      `${first}.${last}`
        .normalize('NFKD')
        .replace(/[^\w.-]/g, '')
        .toLowerCase() || `contact${i}`;

    let email: string | null = `${local}@${company.domain}`;
    const dirt = r.next();
    if (dirt < 0.06) email = `${local}${r.int(1, 99)}@${r.pick(PERSONAL_DOMAINS)}`;
    else if (dirt < 0.08) email = r.pick([`${local}@`, `${local}.at.${company.domain}`, `${local}@@${company.domain}`, `${local} @${company.domain}`]);
    else if (dirt < 0.09) email = `${local}@${r.pick(COMPETITOR_DOMAINS)}`;
    else if (dirt < 0.11 && out.length > 0) {
      // The same person again under a plus-address: HubSpot keeps emails unique, so duplicates look like this.
      const earlier = out[r.int(0, out.length - 1)]!.properties;
      const [user, host] = (earlier.email ?? `${local}@${company.domain}`).split('@');
      email = host ? `${user}+${r.pick(['events', 'webinar', 'work'])}@${host}` : email;
    } else if (dirt < 0.115) email = null;
    const student = /student|intern/i.test(title);
    if (student && r.chance(0.5)) email = `${local}@uni-${r.int(1, 40)}.ac.uk`;

    const p: Record<string, string | null> = {
      email,
      firstname: first,
      lastname: last,
      jobtitle: title,
      company: r.chance(0.005) ? `${company.name} ${'International Holdings & Subsidiaries '.repeat(8)}`.trim() : company.name,
      website: r.chance(0.7) ? r.pick([`https://www.${company.domain}/`, company.domain, `WWW.${company.domain.toUpperCase()}`, `http://${company.domain}/about`]) : null,
      phone: r.chance(0.6) ? `+${r.int(1, 49)} ${r.int(100, 999)} ${r.int(100, 999)} ${r.int(1000, 9999)}` : null,
      country,
      state,
      city: null,
      industry: r.chance(0.9) ? r.weighted(INDUSTRY) : null,
      numemployees: r.chance(0.85) ? r.weighted(EMPLOYEE_BANDS.map((b, k) => [b, [6, 10, 10, 12, 20, 14, 12][k]!] as [string, number])) : null,
      lifecyclestage: r.weighted([
        ['subscriber', 30],
        ['lead', 55],
        ['marketingqualifiedlead', 8],
        ['customer', 5],
        ['other', 2],
      ]),
      lead_source: source,
      lead_source_date: iso(created),
      createdate: iso(created),
      hs_analytics_num_page_views: String(
        r.weighted([
          [0, 20],
          [r.int(1, 5), 40],
          [r.int(6, 15), 25],
          [r.int(16, 80), 15],
        ]),
      ),
      hs_email_click: String(
        r.weighted([
          [0, 50],
          [r.int(1, 3), 35],
          [r.int(4, 12), 15],
        ]),
      ),
      hs_email_bounce: r.chance(0.03) ? '1' : '0',
      content_downloads: String(
        source === 'content_download'
          ? r.int(1, 5)
          : r.weighted([
              [0, 70],
              [r.int(1, 4), 30],
            ]),
      ),
    };
    if (Number(p.hs_analytics_num_page_views) > 0 && r.chance(0.8)) p.hs_analytics_last_visit_timestamp = iso(modified - r.int(0, 10) * DAY);
    if (Number(p.hs_email_click) > 0 && r.chance(0.7)) p.hs_email_last_click_date = iso(modified - r.int(0, 20) * DAY);
    if (Number(p.content_downloads) > 0) p.last_content_download_date = iso(modified - r.int(0, 30) * DAY);
    if (source === 'trade_show' || source === 'event') {
      const show = r.pick(TRADE_SHOWS);
      p.lead_source_detail = show.name;
      p.lead_source_date = `${show.date}T${String(r.int(9, 17)).padStart(2, '0')}:${String(r.int(0, 59)).padStart(2, '0')}:00.000Z`;
      // Booth conversations gather BANT answers.
      p.bant_budget = r.weighted([
        ['approved', 2],
        ['planned', 3],
        ['none', 2],
        ['unknown', 3],
      ]);
      p.bant_authority = r.weighted([
        ['decision_maker', 3],
        ['influencer', 4],
        ['user', 2],
        ['unknown', 1],
      ]);
      p.bant_need = r.weighted([
        ['urgent', 2],
        ['confirmed', 4],
        ['exploring', 3],
        ['none', 1],
      ]);
      p.bant_timeline = r.weighted([
        ['within_3_months', 2],
        ['within_6_months', 3],
        ['within_12_months', 2],
        ['later', 2],
        ['unknown', 1],
      ]);
    } else if (source === 'webinar') {
      p.lead_source_detail = r.pick(WEBINARS);
      p.webinar_attended_date = iso(modified - r.int(0, 20) * DAY);
    } else if (source === 'content_download') {
      p.lead_source_detail = r.pick(CONTENT);
    } else if (source === 'demo_request') {
      p.lead_source_detail = 'Demo request form';
      p.demo_requested_date = iso(modified - r.int(0, 10) * DAY);
    } else if (source === 'paid_ads') {
      p.lead_source_detail = r.pick(['Google Ads: BI software', 'LinkedIn: analytics leaders']);
    } else if (source === 'web_form') {
      p.lead_source_detail = r.pick(['Pricing page form', 'Contact us form']);
    }
    if (r.chance(0.25)) {
      p.demo_watched = r.chance(0.45) ? 'full' : 'partial';
      p.demo_watched_date = iso(modified - r.int(0, 25) * DAY);
    }
    if (r.chance(0.3)) p.product_interest = r.pick(['platform', 'analytics', 'integrations', 'services']);
    if (r.chance(0.2))
      p.estimated_deal_size = String(
        r.weighted([
          [r.int(5, 99) * 1_000, 70],
          [r.int(100, 1_999) * 1_000, 25],
          [r.int(2_000, 5_000) * 1_000, 5],
        ]),
      );
    Object.assign(p, hubspotAttribution(p, source, created, modified, attribution));
    out.push({ properties: p, at: modified });
  }
  // Oldest first, like a portal that grew over time (ids rise with creation).
  return out;
}
