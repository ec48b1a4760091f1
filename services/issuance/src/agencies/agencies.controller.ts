import { Body, Controller, Get, Param, ParseUUIDPipe, Post } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AuthenticatedUser, CurrentUser, Roles } from '@app/auth';
import { ApiProblems } from '@app/platform';
import { Agency } from './agency.entity';
import { AgenciesService } from './agencies.service';
import { AgencyView, RegisterAgencyDto } from './dto/register-agency.dto';

@ApiTags('agencies')
@Controller('agencies')
export class AgenciesController {
  constructor(private readonly agencies: AgenciesService) {}

  @Post()
  @Roles('operator')
  @ApiCreatedResponse({ type: AgencyView })
  @ApiOperation({ summary: 'Register an agency' })
  @ApiProblems({ 409: ['AGENCY_ALREADY_REGISTERED'] })
  register(@Body() body: RegisterAgencyDto, @CurrentUser() user: AuthenticatedUser): Promise<Agency> {
    return this.agencies.register(body, user);
  }

  @Get()
  @Roles('operator')
  @ApiOkResponse({ type: [AgencyView] })
  @ApiOperation({ summary: 'List the agencies' })
  list(): Promise<Agency[]> {
    return this.agencies.list();
  }

  @Get(':id')
  @Roles('operator', 'counselor')
  @ApiOkResponse({ type: AgencyView })
  @ApiOperation({ summary: 'Read an agency' })
  @ApiProblems({ 403: ['AUTH_ORG_FORBIDDEN'], 404: ['AGENCY_NOT_FOUND'] })
  get(@Param('id', ParseUUIDPipe) id: string, @CurrentUser() user: AuthenticatedUser): Promise<Agency> {
    return this.agencies.get(id, user);
  }
}
