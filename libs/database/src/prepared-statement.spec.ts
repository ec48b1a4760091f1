import { preparedStatement } from './transaction-host';

describe('prepared statements', () => {
  it('given one name declared twice with the same text, then both declarations are the same statement', () => {
    expect(preparedStatement('spec-same', 'SELECT 1')).toEqual(preparedStatement('spec-same', 'SELECT 1'));
  });

  it('given one name for two texts, then the second declaration is refused: a connection would run the first text under that name', () => {
    preparedStatement('spec-clash', 'SELECT 1');
    expect(() => preparedStatement('spec-clash', 'SELECT 2')).toThrow('Two prepared statements are named spec-clash');
  });
});
