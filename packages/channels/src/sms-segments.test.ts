import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { countSmsSegments, fitsOneSmsSegment } from './sms-segments.js';

describe('countSmsSegments', () => {
  it('counts GSM-7 septets, with extension characters as two', () => {
    expect(countSmsSegments('Your QDesk code is 482913')).toEqual({
      encoding: 'GSM-7',
      units: 25,
      segments: 1,
    });
    expect(countSmsSegments('€[]')).toEqual({ encoding: 'GSM-7', units: 6, segments: 1 });
    expect(countSmsSegments('Ünïcödé?')).toMatchObject({ encoding: 'UCS-2' }); // ï is not in GSM 03.38
    expect(countSmsSegments('äöüÄÖÜß')).toMatchObject({ encoding: 'GSM-7', units: 7 });
  });

  it('fits 160 septets in one segment and splits longer texts into 153-septet parts', () => {
    expect(countSmsSegments('a'.repeat(160)).segments).toBe(1);
    expect(countSmsSegments('a'.repeat(161)).segments).toBe(2);
    expect(countSmsSegments('a'.repeat(306)).segments).toBe(2);
    expect(countSmsSegments('a'.repeat(307)).segments).toBe(3);
    expect(countSmsSegments('{'.repeat(80))).toEqual({ encoding: 'GSM-7', units: 160, segments: 1 });
  });

  it('never splits an escape pair across parts', () => {
    // 152 septets then a two-septet character: it cannot share the first part's last septet.
    expect(countSmsSegments(`${'a'.repeat(152)}€${'a'.repeat(152)}`)).toEqual({
      encoding: 'GSM-7',
      units: 306,
      segments: 3,
    });
  });

  it('switches to UCS-2 for one character outside GSM: 70 units per message, 67 per part', () => {
    expect(countSmsSegments(`Code 482913 ✅`)).toEqual({ encoding: 'UCS-2', units: 13, segments: 1 });
    expect(countSmsSegments(`“${'a'.repeat(69)}`).segments).toBe(1);
    expect(countSmsSegments(`“${'a'.repeat(70)}`).segments).toBe(2);
    expect(countSmsSegments(`“${'a'.repeat(133)}`).segments).toBe(2);
    expect(countSmsSegments(`“${'a'.repeat(134)}`).segments).toBe(3);
  });

  it('counts an emoji as two UCS-2 units and never splits it', () => {
    expect(countSmsSegments('😀').units).toBe(2);
    expect(countSmsSegments(`${'a'.repeat(66)}😀${'a'.repeat(66)}`)).toEqual({
      encoding: 'UCS-2',
      units: 134,
      segments: 3,
    });
  });

  it('agrees with the segment arithmetic for any GSM text without extension characters', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[A-Za-z0-9 .,!?]{0,600}$/), (text) => {
        const count = countSmsSegments(text);
        expect(count.encoding).toBe('GSM-7');
        expect(count.units).toBe(text.length);
        expect(count.segments).toBe(text.length <= 160 ? 1 : Math.ceil(text.length / 153));
        expect(fitsOneSmsSegment(text)).toBe(text.length <= 160);
      }),
    );
  });
});
