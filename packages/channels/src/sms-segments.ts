// GSM 03.38 default alphabet (one septet each) and its extension table (escape + char: two septets each).
const GSM_BASIC = new Set(
  '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà',
);
const GSM_EXTENSION = new Set('\f^{}\\[~]|€');

/** How an SMS text is encoded and how many message parts it takes. @public */
export interface SmsSegmentCount {
  /** `GSM-7` when every character is in the GSM default alphabet or its extension table, else `UCS-2`. */
  encoding: 'GSM-7' | 'UCS-2';
  /** Septets (GSM-7) or UTF-16 code units (UCS-2) the text occupies. */
  units: number;
  /** Message parts the carrier bills and delivers; an empty text still makes one message. */
  segments: number;
}

/** Per-character sizes in septets, or `null` when a character needs UCS-2. */
function gsmSizes(text: string): number[] | null {
  const sizes: number[] = [];
  for (const char of text) {
    if (GSM_BASIC.has(char)) sizes.push(1);
    else if (GSM_EXTENSION.has(char)) sizes.push(2);
    else return null;
  }
  return sizes;
}

/**
 * Packs characters into parts of `capacity` units without splitting one (an escape pair or a surrogate pair must
 * stay in one part, which is why a long text can need one more part than a plain division suggests).
 */
function pack(sizes: readonly number[], capacity: number): number {
  let parts = 1;
  let used = 0;
  for (const size of sizes) {
    if (used + size > capacity) {
      parts += 1;
      used = 0;
    }
    used += size;
  }
  return parts;
}

/**
 * Counts the SMS segments a text needs: 160 GSM-7 septets or 70 UCS-2 units fit in one; longer texts are split
 * into parts of 153 septets or 67 units (the rest of each part carries the concatenation header). One character
 * outside the GSM alphabet (an emoji, a curly quote, most accented capitals) switches the whole text to UCS-2.
 *
 * Note: Twilio's optional "smart encoding" may replace some Unicode look-alikes with GSM characters before
 * sending; this counts the text as given.
 * @example
 * ```ts
 * countSmsSegments('Your code is 123456'); // { encoding: 'GSM-7', units: 19, segments: 1 }
 * countSmsSegments('Code 123456 ✅');      // { encoding: 'UCS-2', units: 13, segments: 1 }
 * ```
 * @public
 */
export function countSmsSegments(text: string): SmsSegmentCount {
  const gsm = gsmSizes(text);
  if (gsm) {
    const units = gsm.reduce((sum, size) => sum + size, 0);
    return { encoding: 'GSM-7', units, segments: units <= 160 ? 1 : pack(gsm, 153) };
  }
  const sizes = Array.from(text, (char) => char.length);
  const units = text.length;
  return { encoding: 'UCS-2', units, segments: units <= 70 ? 1 : pack(sizes, 67) };
}

/**
 * True when the text goes out as a single SMS (at most 160 GSM-7 septets, or 70 UCS-2 units).
 * @example
 * ```ts
 * if (!fitsOneSmsSegment(text)) console.warn('this SMS will be billed as several parts');
 * ```
 * @public
 */
export function fitsOneSmsSegment(text: string): boolean {
  return countSmsSegments(text).segments === 1;
}
