const SIZE = 16;

/**
 * A 16x16 ICO drawn here (a violet disc): browsers ask every origin for /favicon.ico, and an
 * answer is cheaper than a 404 problem in every log. ICO = directory, one 32-bit BMP, AND mask.
 */
export function favicon(): Buffer {
  const pixels = Buffer.alloc(SIZE * SIZE * 4);
  for (let row = 0; row < SIZE; row++) {
    for (let col = 0; col < SIZE; col++) {
      const inside = (col - 7.5) ** 2 + (row - 7.5) ** 2 <= 7.5 ** 2;
      // BGRA, rows bottom-up; the disc is symmetric, so row order does not show.
      if (inside) pixels.set([0xd9, 0x28, 0x6d, 0xff], (row * SIZE + col) * 4);
    }
  }
  const mask = Buffer.alloc(SIZE * 4); // 1 bit a pixel, rows padded to 32 bits: all opaque by alpha
  const info = Buffer.alloc(40);
  info.writeUInt32LE(40, 0);
  info.writeInt32LE(SIZE, 4);
  info.writeInt32LE(SIZE * 2, 8); // colour and mask stacked
  info.writeUInt16LE(1, 12);
  info.writeUInt16LE(32, 14);
  info.writeUInt32LE(pixels.length + mask.length, 20);
  const image = Buffer.concat([info, pixels, mask]);
  const header = Buffer.alloc(22);
  header.writeUInt16LE(1, 2); // type: icon
  header.writeUInt16LE(1, 4); // one image
  header.writeUInt8(SIZE, 6);
  header.writeUInt8(SIZE, 7);
  header.writeUInt16LE(1, 10);
  header.writeUInt16LE(32, 12);
  header.writeUInt32LE(image.length, 14);
  header.writeUInt32LE(header.length, 18);
  return Buffer.concat([header, image]);
}
