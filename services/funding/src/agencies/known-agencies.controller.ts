import { Controller, Get } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { Roles } from '@app/auth';
import { KnownAgency } from './known-agency.entity';
import { KnownAgenciesService } from './known-agencies.service';

@ApiTags('agencies')
@Controller('agencies')
export class KnownAgenciesController {
  constructor(private readonly agencies: KnownAgenciesService) {}

  @Get()
  @Roles('operator', 'funder')
  @ApiOperation({ summary: 'List the agencies budget can be allocated to', description: 'As learnt from issuance' })
  list(): Promise<KnownAgency[]> {
    return this.agencies.list();
  }
}
