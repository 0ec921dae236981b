import { describe, expect, it } from 'vitest';
import { toCsv } from '../../src/core/reports/exports.js';

const lines = (b: Buffer) => b.toString('utf8').replace(/^\uFEFF/, '').trimEnd().split('\r\n');

describe('CSV exports', () => {
  it('keep what a citizen typed as text: a leading =, +, - or @ cannot run as a formula in Excel', () => {
    const csv = toCsv({ name: 'x', header: ['Họ tên', 'Địa chỉ', 'Số'], rows: [['=HYPERLINK("http://x","bấm")', '@SUM(A1)', -3], ['+84 912', 'Ấp 3, xã Tân Hòa', 7]] });
    expect(lines(csv)).toEqual(['Họ tên,Địa chỉ,Số', `"'=HYPERLINK(""http://x"",""bấm"")",'@SUM(A1),-3`, "'+84 912,\"Ấp 3, xã Tân Hòa\",7"]);
  });
});
