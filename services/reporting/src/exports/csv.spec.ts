import { csvLine, decimal, euros } from './csv';

describe('French CSV', () => {
  it('writes euros with a decimal comma and two decimals', () => {
    expect(euros(1000)).toBe('10,00');
    expect(euros(123_456)).toBe('1234,56');
    expect(euros(5)).toBe('0,05');
    expect(euros(null)).toBe('');
  });

  it('separates with ; and quotes fields holding a separator, a quote or a line break', () => {
    expect(csvLine(['a', 1, null, 'b;c', 'd"e'])).toBe('a;1;;"b;c";"d""e"\r\n');
    expect(decimal(0.4567)).toBe('0,4567');
  });
});
