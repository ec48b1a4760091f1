import { isDatabaseUnavailable } from './database-errors';

describe('isDatabaseUnavailable', () => {
  it.each([
    ['a refused connection', Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' })],
    [
      'an immediate shutdown',
      Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' }),
    ],
    ['a server starting up', Object.assign(new Error('the database system is starting up'), { code: '57P03' })],
    ['a lost connection', new Error('Connection terminated unexpectedly')],
    ['a pool wait timeout', new Error('timeout exceeded when trying to connect')],
    ['a connection exception class', { code: '08006', message: 'connection failure' }],
    [
      'a database taken offline',
      { code: '55000', message: 'database "pass_funding" is not currently accepting connections' },
    ],
    ['a TypeORM wrapper', { message: 'Query failed', driverError: { code: '57P01' } }],
  ])('is true for %s', (_, error) => expect(isDatabaseUnavailable(error)).toBe(true));

  it.each([
    ['a unique violation', { code: '23505', message: 'duplicate key value violates unique constraint' }],
    ['a deadlock', { code: '40P01', message: 'deadlock detected' }],
    [
      'another object not in prerequisite state',
      { code: '55000', message: 'sequence "s" is not yet defined in this session' },
    ],
    ['a handler bug', new TypeError("Cannot read properties of undefined (reading 'id')")],
    ['nothing', undefined],
  ])('is false for %s', (_, error) => expect(isDatabaseUnavailable(error)).toBe(false));
});
