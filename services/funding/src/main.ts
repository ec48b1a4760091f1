import 'reflect-metadata';
import { runService } from '@app/platform';
import { fundingService } from './funding.service-definition';

void runService(fundingService);
