// Written here on purpose: one fixed message (pain.001.001.03 credit transfers) in a few template lines, validated against the official XSD by test/funding/settlement.int-spec.ts.
/** One credit transfer of a payment file: a site's statement. */
export interface SepaTransfer {
  reference: string;
  amountCents: number;
  creditorName: string;
  iban: string;
  bic: string;
}

export interface SepaPaymentFile {
  messageId: string;
  createdAt: Date;
  /** `YYYY-MM-DD` */
  executionDate: string;
  debtor: { name: string; iban: string; bic: string };
  transfers: SepaTransfer[];
}

const escapeXml = (text: string) =>
  text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
/**
 * SEPA files may only carry the EPC basic Latin set: accents are dropped
 * (é → e, œ → oe) and any other character becomes a space, so no bank rejects a name.
 */
export function sepaText(value: string): string {
  return value
    .replace(/œ/g, 'oe')
    .replace(/Œ/g, 'OE')
    .replace(/æ/g, 'ae')
    .replace(/Æ/g, 'AE')
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[^A-Za-z0-9/\-?:().,'+ ]/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}
const text = (value: string, max: number) => escapeXml(sepaText(value).slice(0, max));
/** Cents to euros with two decimals, without floating point. */
export const eurosDecimal = (cents: number) => `${Math.floor(cents / 100)}.${String(cents % 100).padStart(2, '0')}`;

/**
 * An ISO 20022 customer credit transfer initiation (pain.001.001.03, the
 * SEPA version French banks accept): one payment information block debiting
 * the operator's account, one transfer per statement, the statement
 * reference as end-to-end id and remittance information.
 */
export function sepaCreditTransferXml(file: SepaPaymentFile): string {
  if (file.transfers.length === 0) throw new Error('A payment file needs at least one transfer');
  const count = file.transfers.length;
  const controlSum = eurosDecimal(file.transfers.reduce((sum, t) => sum + t.amountCents, 0));
  const transfers = file.transfers
    .map(
      (t) => `      <CdtTrfTxInf>
        <PmtId><EndToEndId>${text(t.reference, 35)}</EndToEndId></PmtId>
        <Amt><InstdAmt Ccy="EUR">${eurosDecimal(t.amountCents)}</InstdAmt></Amt>
        <CdtrAgt><FinInstnId><BIC>${text(t.bic, 11)}</BIC></FinInstnId></CdtrAgt>
        <Cdtr><Nm>${text(t.creditorName, 70)}</Nm></Cdtr>
        <CdtrAcct><Id><IBAN>${text(t.iban, 34)}</IBAN></Id></CdtrAcct>
        <RmtInf><Ustrd>${text(`Pass numerique ${t.reference}`, 140)}</Ustrd></RmtInf>
      </CdtTrfTxInf>`,
    )
    .join('\n');
  return `<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:pain.001.001.03" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
  <CstmrCdtTrfInitn>
    <GrpHdr>
      <MsgId>${text(file.messageId, 35)}</MsgId>
      <CreDtTm>${file.createdAt.toISOString().slice(0, 19)}</CreDtTm>
      <NbOfTxs>${count}</NbOfTxs>
      <CtrlSum>${controlSum}</CtrlSum>
      <InitgPty><Nm>${text(file.debtor.name, 70)}</Nm></InitgPty>
    </GrpHdr>
    <PmtInf>
      <PmtInfId>${text(file.messageId, 35)}</PmtInfId>
      <PmtMtd>TRF</PmtMtd>
      <BtchBookg>false</BtchBookg>
      <NbOfTxs>${count}</NbOfTxs>
      <CtrlSum>${controlSum}</CtrlSum>
      <PmtTpInf><SvcLvl><Cd>SEPA</Cd></SvcLvl></PmtTpInf>
      <ReqdExctnDt>${file.executionDate}</ReqdExctnDt>
      <Dbtr><Nm>${text(file.debtor.name, 70)}</Nm></Dbtr>
      <DbtrAcct><Id><IBAN>${text(file.debtor.iban, 34)}</IBAN></Id></DbtrAcct>
      <DbtrAgt><FinInstnId><BIC>${text(file.debtor.bic, 11)}</BIC></FinInstnId></DbtrAgt>
      <ChrgBr>SLEV</ChrgBr>
${transfers}
    </PmtInf>
  </CstmrCdtTrfInitn>
</Document>
`;
}
