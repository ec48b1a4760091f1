import 'reflect-metadata';
import { runService } from '@app/platform';
import { issuanceService } from './issuance.service-definition';

void runService(issuanceService);
