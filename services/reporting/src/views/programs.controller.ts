import { Controller, Get, Param, ParseUUIDPipe } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { AuthenticatedUser, CurrentUser, Roles } from '@app/auth';
import { ReportingService } from './reporting.service';

/** Read models of programs; every answer carries its freshness (consumer lag, latest event applied). */
@ApiTags('programs')
@Controller('programs')
export class ProgramsController {
  constructor(private readonly reporting: ReportingService) {}

  @Get()
  @Roles('operator', 'funder')
  @ApiOperation({ summary: 'Programs the caller may see (a funder: those where it has a funding line)' })
  list(@CurrentUser() user: AuthenticatedUser) {
    return this.reporting.programs(user);
  }

  @Get(':id/summary')
  @Roles('operator', 'funder')
  @ApiOperation({ summary: 'Budget, allocations, booklets and passes of a program, per funding line too' })
  summary(@Param('id', ParseUUIDPipe) id: string, @CurrentUser() user: AuthenticatedUser) {
    return this.reporting.summary(user, id);
  }

  @Get(':id/by-agency')
  @Roles('operator', 'funder')
  byAgency(@Param('id', ParseUUIDPipe) id: string, @CurrentUser() user: AuthenticatedUser) {
    return this.reporting.byAgency(user, id);
  }

  @Get(':id/by-site')
  @Roles('operator', 'funder')
  bySite(@Param('id', ParseUUIDPipe) id: string, @CurrentUser() user: AuthenticatedUser) {
    return this.reporting.bySite(user, id);
  }

  @Get(':id/by-departement')
  @Roles('operator', 'funder')
  @ApiOperation({ summary: "Issuance by the agency's département, redemptions by the site's" })
  byDepartement(@Param('id', ParseUUIDPipe) id: string, @CurrentUser() user: AuthenticatedUser) {
    return this.reporting.byDepartement(user, id);
  }

  @Get(':id/by-day')
  @Roles('operator', 'funder')
  @ApiOperation({ summary: 'Per Europe/Paris calendar day' })
  byDay(@Param('id', ParseUUIDPipe) id: string, @CurrentUser() user: AuthenticatedUser) {
    return this.reporting.byDay(user, id);
  }

  @Get(':id/profiles')
  @Roles('operator', 'funder')
  @ApiOperation({ summary: 'Beneficiaries per age band, situation and diagnostic level; counts under 5 read "< 5"' })
  profiles(@Param('id', ParseUUIDPipe) id: string, @CurrentUser() user: AuthenticatedUser) {
    return this.reporting.profiles(user, id);
  }
}
