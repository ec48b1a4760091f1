import 'reflect-metadata';
import { PATTERN_METADATA } from '@nestjs/microservices/constants';
import { allEventDefinitions, Topics } from '@app/contracts';
import { batchPatternOf, eventTypeOfPattern } from '@app/messaging';
import { FundingEventsConsumer } from './funding-events.consumer';
import { IssuanceEventsConsumer } from './issuance-events.consumer';
import { RedemptionEventsConsumer } from './redemption-events.consumer';

describe('reporting consumers', () => {
  it('handle every event type of the issuance, redemption and funding topics, once alone and once in batches', () => {
    const patterns = [IssuanceEventsConsumer, RedemptionEventsConsumer, FundingEventsConsumer].flatMap((consumer) =>
      Object.getOwnPropertyNames(consumer.prototype).flatMap((method) => (Reflect.getMetadata(PATTERN_METADATA, (consumer.prototype as unknown as Record<string, object>)[method]) ?? []) as string[]),
    );
    const topics: string[] = [Topics.issuance, Topics.redemption, Topics.funding];
    const declared = [...new Set(allEventDefinitions().filter((d) => topics.includes(d.topic)).map((d) => d.type))].sort();
    expect(patterns.filter((pattern) => pattern === eventTypeOfPattern(pattern)).sort()).toEqual(declared);
    expect(patterns.filter((pattern) => pattern !== eventTypeOfPattern(pattern)).sort()).toEqual(declared.map(batchPatternOf));
  });
});
