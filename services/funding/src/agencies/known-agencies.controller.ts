import { Controller, Get } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { Roles } from '@app/auth';
import { KnownAgency } from './known-agency.entity';
import { KnownAgenciesService } from './known-agencies.service';

@ApiTags('agencies')
@Controller('agencies')
export class KnownAgenciesController {
  constructor(private readonly agencies: KnownAgenciesService) {}

  /** Agencies budget can be allocated to, as learnt from issuance. */
  @Get()
  @Roles('operator', 'funder')
  list(): Promise<KnownAgency[]> {
    return this.agencies.list();
  }
}
