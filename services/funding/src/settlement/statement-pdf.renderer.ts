// pdfkit: draws the PDF in-process with the standard fonts, no headless browser or native binary to install.
import PDFDocument from 'pdfkit';
import { frenchDate, parisDay } from '@app/calendar';
import { euros } from '@app/money';

export interface PrintableStatement {
  reference: string;
  period: string;
  payeeName: string;
  siteId: string;
  iban: string | null;
  totalCents: number;
  heldReason: string | null;
  operatorName: string;
  lines: Array<{
    passId: string;
    redeemedAt: Date;
    amountCents: number;
    programName: string;
    shares: Array<{ funderName: string; amountCents: number }>;
    adjustment: boolean;
  }>;
}

const MARGIN = 40;
const MONTHS = [
  'janvier',
  'février',
  'mars',
  'avril',
  'mai',
  'juin',
  'juillet',
  'août',
  'septembre',
  'octobre',
  'novembre',
  'décembre',
];

const parisDate = (at: Date) => frenchDate(parisDay(at));
const frenchPeriod = (period: string) => `${MONTHS[Number(period.slice(5, 7)) - 1]} ${period.slice(0, 4)}`;
const maskedIban = (iban: string) => `${iban.slice(0, 4)} **** **** ${iban.slice(-4)}`;

/** A site's monthly statement (relevé de règlement), in French, A4. */
export function renderStatementPdf(statement: PrintableStatement): Promise<Buffer> {
  const doc = new PDFDocument({
    size: 'A4',
    margin: MARGIN,
    lang: 'fr-FR',
    info: { Title: `Relevé de règlement ${statement.reference}`, Author: statement.operatorName },
  });
  const chunks: Buffer[] = [];
  doc.on('data', (chunk: Buffer) => chunks.push(chunk));
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });

  doc.font('Helvetica-Bold').fontSize(16).text('Relevé de règlement des pass numériques');
  doc.moveDown(0.5).font('Helvetica').fontSize(10);
  doc.text(`Référence : ${statement.reference}`);
  doc.text(`Période : ${frenchPeriod(statement.period)}`);
  doc.text(`Bénéficiaire : ${statement.payeeName} (lieu ${statement.siteId})`);
  doc.text(`Compte de paiement : ${statement.iban ? maskedIban(statement.iban) : 'aucun compte connu'}`);
  doc.text(`Émis par : ${statement.operatorName}, pour le compte des financeurs`);
  if (statement.heldReason)
    doc
      .moveDown(0.5)
      .font('Helvetica-Bold')
      .fillColor('#b00020')
      .text(`Paiement suspendu : ${statement.heldReason}`)
      .fillColor('black')
      .font('Helvetica');
  doc.moveDown();

  const columns = [MARGIN, MARGIN + 55, MARGIN + 230, MARGIN + 445];
  const row = (cells: string[], bold = false) => {
    const y = doc.y;
    let bottom = y;
    doc.font(bold ? 'Helvetica-Bold' : 'Helvetica').fontSize(8);
    cells.forEach((cell, i) => {
      doc.text(cell, columns[i], y, { width: (columns[i + 1] ?? doc.page.width - MARGIN) - columns[i] - 6 });
      bottom = Math.max(bottom, doc.y);
    });
    doc.x = MARGIN;
    doc.y = bottom + 3;
    if (doc.y > doc.page.height - 3 * MARGIN) doc.addPage();
  };
  row(['Date', 'Pass', 'Programme · part des financeurs', 'Montant'], true);
  for (const line of statement.lines) {
    const shares = line.shares.map((share) => `${share.funderName} ${euros(share.amountCents)}`).join(' ; ');
    row([
      parisDate(line.redeemedAt),
      `${line.adjustment ? 'Annulation ' : ''}${line.passId}`,
      `${line.programName} · ${shares}`,
      euros(line.amountCents),
    ]);
  }
  doc
    .moveDown()
    .font('Helvetica-Bold')
    .fontSize(11)
    .text(
      `Total à payer : ${euros(statement.totalCents)} (${statement.lines.length} ligne${statement.lines.length > 1 ? 's' : ''})`,
      MARGIN,
    );
  doc
    .moveDown()
    .font('Helvetica')
    .fontSize(8)
    .fillColor('#333333')
    .text(
      'Les annulations de passages déjà réglés apparaissent en montant négatif et sont déduites de ce relevé. Ce relevé est définitif : toute correction figurera sur un relevé suivant.',
    );
  doc.end();
  return done;
}
