import { describe, expect, it } from 'vitest';
import { decodeUtf8, detectDelimiter, nonBlank, parseCsv } from '../src/lib/csv';

describe('parseCsv', () => {
  it('reads quotes, doubled quotes and CRLF, keeping the line each record starts on', () => {
    const recs = parseCsv('NIP,nama\r\n1,"Santoso, Budi"\r\n2,"Kata ""kutip"""\r\n3,"dua\nbaris"\n4,x\n');
    expect(recs.map((r) => r.line)).toEqual([1, 2, 3, 4, 6]);
    expect(recs[1].fields).toEqual(['1', 'Santoso, Budi']);
    expect(recs[2].fields).toEqual(['2', 'Kata "kutip"']);
    expect(recs[3].fields).toEqual(['3', 'dua\nbaris']);
  });

  it('takes semicolons from an Indonesian Excel, and skips a BOM', () => {
    expect(detectDelimiter('nip;nama;email\n')).toBe(';');
    const recs = parseCsv('\ufeffnip;nama\n1;Rina\n');
    expect(recs[0].fields).toEqual(['nip', 'nama']);
    expect(recs[1].fields).toEqual(['1', 'Rina']);
  });

  it('drops blank records and tells UTF-8 from other encodings', () => {
    expect(nonBlank(parseCsv('a,b\n\n,\n1,2\n')).map((r) => r.line)).toEqual([1, 4]);
    expect(decodeUtf8(new TextEncoder().encode('Dinas Sosial – ok').buffer as ArrayBuffer)).toBe('Dinas Sosial – ok');
    expect(decodeUtf8(new Uint8Array([0x44, 0xe9, 0x2c]).buffer)).toBeNull();
  });
});
