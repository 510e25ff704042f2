import { describe, expect, it } from 'vitest';
import { contactKeys, emailKey } from './contact-keys.ts';

describe('contact keys', () => {
  it('keys an email by a hash of its trimmed lower-case form, never the address', () => {
    const key = emailKey('ann@globex.example');
    expect(emailKey('  Ann@GLOBEX.example ')).toBe(key);
    expect(key).not.toContain('ann');
    expect(emailKey('bob@globex.example')).not.toBe(key);
    for (const bad of [null, undefined, '', 'not an email', 'a@b@c']) expect(emailKey(bad)).toBeUndefined();
  });

  it("keeps a contact's email key and its email's and website's domains", () => {
    expect(contactKeys('5101', { email: 'Ann@Globex.example', website: 'https://www.globex-group.example/about' })).toEqual({
      contactId: '5101',
      emailKey: emailKey('ann@globex.example'),
      emailDomain: 'globex.example',
      websiteDomain: 'globex-group.example',
    });
    expect(contactKeys('5102', {})).toEqual({ contactId: '5102', emailKey: null, emailDomain: null, websiteDomain: null });
  });
});
