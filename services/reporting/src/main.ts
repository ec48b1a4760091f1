import 'reflect-metadata';
import { runService } from '@app/platform';
import { reportingService } from './reporting.service-definition';

void runService(reportingService);
