import { writeFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { deflateSync } from 'node:zlib';

// The self-serve app's install icons (static/icon-192.png, static/icon-512.png), drawn by this script and nothing
// else: a yellow disc with a dark check mark on the app bar's dark blue, the mark inside the central 80 % so a
// platform's round or squircle mask never cuts it. Run `npx tsx examples/insight-app/dev/icons.ts` to write them
// again; the same size always gives the same pixels (a test compares the committed files with `renderIcon`).

/** The colours of the app bar (background) and its accent (the disc), as in static/app.css. */
export const ICON_COLOURS = { background: [0x1d, 0x23, 0x30], disc: [0xf0, 0xb4, 0x29] } as const;

/** The sizes Chromium's installability check and Android's launcher ask for. */
export const ICON_SIZES = [192, 512] as const;

type Point = readonly [number, number];

/** Distance from `p` to the segment `a`-`b` (all in units of the icon's side). */
function toSegment(p: Point, a: Point, b: Point): number {
  const [dx, dy] = [b[0] - a[0], b[1] - a[1]];
  const t = Math.max(0, Math.min(1, ((p[0] - a[0]) * dx + (p[1] - a[1]) * dy) / (dx * dx + dy * dy)));
  return Math.hypot(p[0] - a[0] - t * dx, p[1] - a[1] - t * dy);
}

const CHECK: readonly Point[] = [
  [0.37, 0.51],
  [0.46, 0.6],
  [0.64, 0.41],
];

/** Whether a point of the unit square is disc colour (1) or background colour (0: outside the disc, or the check mark). */
function inkAt(p: Point): 0 | 1 {
  const onCheck = toSegment(p, CHECK[0]!, CHECK[1]!) < 0.035 || toSegment(p, CHECK[1]!, CHECK[2]!) < 0.035;
  const onDisc = Math.hypot(p[0] - 0.5, p[1] - 0.5) < 0.3;
  return onDisc && !onCheck ? 1 : 0;
}

/** The icon's pixels, RGB rows top to bottom, each pixel the mean of a 4 x 4 grid of samples (smooth edges). */
export function renderIcon(size: number): Buffer {
  const grid = 4;
  const pixels = Buffer.alloc(size * size * 3);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      let covered = 0;
      for (let sy = 0; sy < grid; sy++)
        for (let sx = 0; sx < grid; sx++)
          covered += inkAt([(x + (sx + 0.5) / grid) / size, (y + (sy + 0.5) / grid) / size]);
      const share = covered / (grid * grid);
      for (let c = 0; c < 3; c++) {
        const [bg, fg] = [ICON_COLOURS.background[c]!, ICON_COLOURS.disc[c]!];
        pixels[(y * size + x) * 3 + c] = Math.round(bg + (fg - bg) * share);
      }
    }
  }
  return pixels;
}

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(bytes: Buffer): number {
  let c = 0xffffffff;
  for (const byte of bytes) c = CRC_TABLE[(c ^ byte) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}

/** The scanlines as PNG stores them before compression: each row led by filter type 0 (none). */
export function scanlines(size: number, rgb: Buffer): Buffer {
  const stride = size * 3;
  return Buffer.concat(
    Array.from({ length: size }, (_, y) =>
      Buffer.concat([Buffer.of(0), rgb.subarray(y * stride, (y + 1) * stride)]),
    ),
  );
}

/** A square, opaque, 8-bit RGB PNG of `rgb`. */
export function encodePng(size: number, rgb: Buffer): Buffer {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(size, 0);
  header.writeUInt32BE(size, 4);
  header.set([8, 2, 0, 0, 0], 8); // 8 bits per channel, colour type 2 (RGB), deflate, no filter method, no interlace
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(scanlines(size, rgb), { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

/** Where the committed icon of that size lives. */
export const iconFile = (size: number) =>
  fileURLToPath(new URL(`../static/icon-${size}.png`, import.meta.url));

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  for (const size of ICON_SIZES) {
    writeFileSync(iconFile(size), encodePng(size, renderIcon(size)));
    console.log(`wrote ${iconFile(size)}`);
  }
}
