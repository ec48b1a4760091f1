import 'reflect-metadata';
import { PATTERN_METADATA } from '@nestjs/microservices/constants';
import { allEventDefinitions, Topics } from '@app/contracts';
import { ProjectedEventsConsumer } from './projected-events.consumer';

describe('reporting consumer', () => {
  it('handles every event type of the issuance, redemption and funding topics, each with one method', () => {
    const methods = ProjectedEventsConsumer.prototype as unknown as Record<string, object>;
    const patterns = Object.getOwnPropertyNames(methods).flatMap(
      (method) => (Reflect.getMetadata(PATTERN_METADATA, methods[method]) ?? []) as string[],
    );
    const topics: string[] = [Topics.issuance, Topics.redemption, Topics.funding];
    const declared = [
      ...new Set(
        allEventDefinitions()
          .filter((d) => topics.includes(d.topic))
          .map((d) => d.type),
      ),
    ].sort();
    expect([...patterns].sort()).toEqual(declared);
  });
});
