import { Body, Controller, Get, Param, ParseUUIDPipe, Post } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { AuthenticatedUser, CurrentUser, Roles } from '@app/auth';
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
  register(@Body() body: RegisterAgencyDto, @CurrentUser() user: AuthenticatedUser): Promise<Agency> {
    return this.agencies.register(body, user);
  }

  @Get()
  @Roles('operator')
  @ApiOkResponse({ type: [AgencyView] })
  list(): Promise<Agency[]> {
    return this.agencies.list();
  }

  @Get(':id')
  @Roles('operator', 'counselor')
  @ApiOkResponse({ type: AgencyView })
  get(@Param('id', ParseUUIDPipe) id: string, @CurrentUser() user: AuthenticatedUser): Promise<Agency> {
    return this.agencies.get(id, user);
  }
}
