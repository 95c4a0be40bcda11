// Admin pages: template problems by field, template names, grouping, addresses.
import { describe, expect, it } from 'vitest';
import { byKind, shortAddress, templateErrors, templateNames, type TemplateView } from '../src/lib/admin';

describe('notification templates', () => {
  it('puts each problem at its part, with its line', () => {
    const errors = templateErrors(
      [
        { code: 'template_invalid', part: 'html', line: 3, message: 'unknown name `nama`' },
        { code: 'template_invalid', part: 'subject', message: 'syntax error' },
        { code: 'template_invalid', part: 'html', line: 5, message: 'unclosed block' },
      ],
      (l) => `baris ${l}`,
    );
    expect(errors).toEqual({ html: 'baris 3: unknown name `nama`; baris 5: unclosed block', subject: 'syntax error' });
  });

  it('lists the common names first, then the kind’s own', () => {
    expect(templateNames({ programme: 'X', cohort: 'Y', name: 'Budi' })).toEqual(['name', 'url', 'settings_url', 'language', 'cohort', 'programme']);
    expect(templateNames(null)).toEqual(['name', 'url', 'settings_url', 'language']);
  });

  it('groups by kind, Indonesian first', () => {
    const tpl = (kind: string, language: string) => ({ kind, language, essential: kind === 'password_reset' }) as TemplateView;
    const groups = byKind([tpl('overdue', 'en'), tpl('overdue', 'id'), tpl('password_reset', 'id'), tpl('password_reset', 'en')]);
    expect(groups.map((g) => [g.kind, g.essential, g.items.map((i) => i.language)])).toEqual([
      ['overdue', false, ['id', 'en']],
      ['password_reset', true, ['id', 'en']],
    ]);
  });
});

describe('outbox', () => {
  it('shortens long addresses but keeps the domain', () => {
    expect(shortAddress('budi@lentera.test')).toBe('budi@lentera.test');
    const s = shortAddress('seorang.pegawai.dengan.nama.panjang@batanghari.go.id', 30);
    expect(s.endsWith('@batanghari.go.id')).toBe(true);
    expect(s.length).toBeLessThanOrEqual(30);
  });
});
