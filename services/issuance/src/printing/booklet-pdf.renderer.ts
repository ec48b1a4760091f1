// pdfkit: draws the PDF in-process with the standard fonts, no headless browser or native binary to install.
import PDFDocument from 'pdfkit';
import { toBuffer as qrPng } from 'qrcode';
import { frenchDate } from '@app/calendar';
import { euros } from '@app/money';

export interface PrintablePass {
  position: number;
  /** Formatted for reading: K7QM-3XTA-9HWP-2DRC-X. */
  code: string;
  amountCents: number;
}

export interface PrintableBooklet {
  programName: string;
  /** `YYYY-MM-DD` */
  validUntil: string;
  funderNames: string[];
  territory: string[];
  beneficiaryRef: string;
  passes: PrintablePass[];
}

const PAGE = { width: 595.28, height: 841.89, margin: 36 };
const HEADER_HEIGHT = 44;
const PASSES_PER_PAGE = 5;
const SECTION_HEIGHT = (PAGE.height - 2 * PAGE.margin - HEADER_HEIGHT) / PASSES_PER_PAGE;
const QR_SIZE = 104;

export const WHERE_TO_USE =
  'Où utiliser mon pass ? Dans un lieu de médiation numérique agréé de votre territoire (France Services, conseillers numériques…). ' +
  'Présentez ce pass ou donnez son code : un pass paie un accompagnement. Gardez ce carnet, il ne sera pas remplacé en cas de perte.';

/**
 * An A4 booklet, five detachable passes a page between dashed cut lines: each
 * with its QR code, its code in large type, amount, validity, program,
 * funders, territory and where to use it. Built in memory: codes never touch
 * the disk.
 */
export async function renderBookletPdf(booklet: PrintableBooklet): Promise<Buffer> {
  const qrCodes = await Promise.all(
    booklet.passes.map((pass) => qrPng(pass.code, { errorCorrectionLevel: 'M', margin: 1, scale: 6 })),
  );
  const doc = new PDFDocument({
    size: 'A4',
    margin: PAGE.margin,
    autoFirstPage: false,
    lang: 'fr-FR',
    info: { Title: 'Carnet de pass numérique', Author: 'Pass numérique' },
  });
  const chunks: Buffer[] = [];
  doc.on('data', (chunk: Buffer) => chunks.push(chunk));
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });

  booklet.passes.forEach((pass, i) => {
    const slot = i % PASSES_PER_PAGE;
    if (slot === 0) header(doc, booklet, i / PASSES_PER_PAGE + 1, Math.ceil(booklet.passes.length / PASSES_PER_PAGE));
    section(doc, booklet, pass, qrCodes[i], PAGE.margin + HEADER_HEIGHT + slot * SECTION_HEIGHT);
  });
  doc.end();
  return done;
}

function header(doc: PDFKit.PDFDocument, booklet: PrintableBooklet, page: number, pages: number): void {
  doc.addPage();
  doc
    .font('Helvetica-Bold')
    .fontSize(14)
    .fillColor('black')
    .text('Carnet de pass numérique', PAGE.margin, PAGE.margin, { lineBreak: false });
  doc
    .font('Helvetica')
    .fontSize(9)
    .text(
      `${booklet.programName} · Réf. ${booklet.beneficiaryRef} · page ${page}/${pages}`,
      PAGE.margin,
      PAGE.margin + 18,
      { lineBreak: false },
    );
  cutLine(doc, PAGE.margin + HEADER_HEIGHT);
}

function section(
  doc: PDFKit.PDFDocument,
  booklet: PrintableBooklet,
  pass: PrintablePass,
  qr: Buffer,
  top: number,
): void {
  const left = PAGE.margin;
  const textLeft = left + QR_SIZE + 16;
  const textWidth = PAGE.width - PAGE.margin - textLeft;
  doc.image(qr, left, top + 12, { width: QR_SIZE, height: QR_SIZE });
  doc
    .font('Helvetica-Bold')
    .fontSize(12)
    .text(
      `Pass numérique n° ${pass.position}/${booklet.passes.length} · ${euros(pass.amountCents)}`,
      textLeft,
      top + 12,
      {
        width: textWidth,
        lineBreak: false,
      },
    );
  doc
    .font('Courier-Bold')
    .fontSize(22)
    .text(pass.code, textLeft, top + 30, { width: textWidth, lineBreak: false });
  doc
    .font('Helvetica')
    .fontSize(9)
    .text(`Valable jusqu'au ${frenchDate(booklet.validUntil)}`, textLeft, top + 58, { width: textWidth })
    .text(`Programme : ${booklet.programName}`, { width: textWidth })
    .text(
      `Financé par : ${booklet.funderNames.length > 0 ? booklet.funderNames.join(', ') : 'les financeurs du programme'}`,
      { width: textWidth },
    )
    .text(
      `Territoire : ${booklet.territory.length > 1 ? 'départements' : 'département'} ${booklet.territory.join(', ')}`,
      { width: textWidth },
    );
  doc
    .fontSize(7)
    .fillColor('#333333')
    .text(WHERE_TO_USE, left, top + 122, { width: PAGE.width - 2 * PAGE.margin })
    .fillColor('black');
  cutLine(doc, top + SECTION_HEIGHT);
}

function cutLine(doc: PDFKit.PDFDocument, y: number): void {
  doc
    .save()
    .moveTo(PAGE.margin, y)
    .lineTo(PAGE.width - PAGE.margin, y)
    .dash(4, { space: 3 })
    .lineWidth(0.6)
    .strokeColor('#777777')
    .stroke()
    .restore();
  doc
    .font('Helvetica')
    .fontSize(7)
    .fillColor('#777777')
    .text('découper ici', PAGE.width - PAGE.margin - 45, y + 1, { lineBreak: false })
    .fillColor('black');
}
