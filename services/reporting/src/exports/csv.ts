/** Excel in France opens UTF-8 with a BOM, `;` as separator and a decimal comma. */
export const CSV_BOM = '\uFEFF';
const SEPARATOR = ';';

export type CsvValue = string | number | null | undefined;

function field(value: CsvValue): string {
  if (value === null || value === undefined) return '';
  const text = String(value);
  return /[;"\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function csvLine(values: CsvValue[]): string {
  return `${values.map(field).join(SEPARATOR)}\r\n`;
}

/** 123456 cents → "1234,56". */
export function euros(cents: number | null | undefined): string {
  if (cents === null || cents === undefined) return '';
  const sign = cents < 0 ? '-' : '';
  const abs = Math.abs(cents);
  return `${sign}${Math.trunc(abs / 100)},${String(abs % 100).padStart(2, '0')}`;
}

/** 0.4567 → "0,4567". */
export function decimal(value: number | null | undefined): string {
  return value === null || value === undefined ? '' : String(value).replace('.', ',');
}
