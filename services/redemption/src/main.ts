import 'reflect-metadata';
import { runService } from '@app/platform';
import { redemptionService } from './redemption.service-definition';

void runService(redemptionService);
