import { StringDecoder } from 'node:string_decoder';
import { SaxesParser } from 'saxes';
import { UploadRefused } from '../upload-refused';
import { NOT_A_WORKBOOK } from './zip-entries';

// A workbook part's XML as events, with saxes: element names without their namespace prefix
// (some writers use `x:row`), text as it comes. A DOCTYPE is refused (no workbook part has one;
// it is where entity tricks live), and so is an element's text or attributes growing past
// MAX_ELEMENT_CHARS without a tag (saxes holds them in memory until the next tag), and elements
// nested deeper than MAX_DEPTH (saxes keeps an object per open element). CDATA is text.

export type XmlHandlers = {
  open?: (name: string, attributes: Record<string, string>) => void;
  close?: (name: string) => void;
  text?: (text: string) => void;
};

/** Characters between two tags (a cell's text, a tag's attributes): far more than a cell holds. */
const MAX_ELEMENT_CHARS = 1024 * 1024;

/** Elements open at once: a workbook part nests about ten deep (a rich text run in a cell: 7). */
export const MAX_DEPTH = 64;

const localName = (name: string) => {
  const colon = name.indexOf(':');
  return colon < 0 ? name : name.slice(colon + 1);
};

export class XmlFeed {
  private readonly parser = new SaxesParser({ position: false });
  private readonly decoder = new StringDecoder('utf8');
  private sinceTag = 0;
  private depth = 0;
  private failure: unknown = null;

  constructor(handlers: XmlHandlers) {
    const { parser } = this;
    parser.on('opentag', (tag) => {
      this.sinceTag = 0;
      if (++this.depth > MAX_DEPTH)
        throw new UploadRefused(
          'malformed',
          `This workbook has elements nested more than ${MAX_DEPTH} deep, which no spreadsheet writes (a file built to exhaust the server looks like this). Save the sheet again from Excel, or as "CSV UTF-8", and upload that.`,
        );
      handlers.open?.(localName(tag.name), tag.attributes as Record<string, string>);
    });
    parser.on('closetag', (tag) => {
      this.sinceTag = 0;
      this.depth -= 1;
      handlers.close?.(localName(tag.name));
    });
    if (handlers.text) {
      parser.on('text', handlers.text);
      parser.on('cdata', handlers.text);
    }
    parser.on('doctype', () => {
      throw new UploadRefused('malformed', NOT_A_WORKBOOK);
    });
    parser.on('error', (error) => {
      this.failure ??= error;
    });
  }

  write(bytes: Buffer) {
    const text = this.decoder.write(bytes);
    this.sinceTag += text.length;
    if (this.sinceTag > MAX_ELEMENT_CHARS)
      throw new UploadRefused(
        'malformed',
        'This workbook has a cell or tag of more than a million characters, more than a list of users can need. Save the sheet as "CSV UTF-8" and upload that.',
      );
    this.parser.write(text);
    this.check();
  }

  end() {
    this.parser.write(this.decoder.end());
    this.parser.close();
    this.check();
  }

  private check() {
    if (this.failure === null) return;
    if (this.failure instanceof UploadRefused) throw this.failure;
    throw new UploadRefused('malformed', NOT_A_WORKBOOK, { cause: this.failure });
  }
}

/** Reads a whole (small) part through `handlers`. */
export async function readXml(bytes: AsyncIterable<Buffer>, handlers: XmlHandlers): Promise<void> {
  const feed = new XmlFeed(handlers);
  for await (const chunk of bytes) feed.write(chunk);
  feed.end();
}

/** Excel's escapes in text (ST_Xstring): `_x000D_` is a carriage return, `_x005F_` an underscore. */
export const unescapeXstring = (text: string) =>
  text.includes('_x')
    ? text.replace(/_x([0-9A-Fa-f]{4})_/g, (_, hex: string) =>
        String.fromCharCode(parseInt(hex, 16)),
      )
    : text;
