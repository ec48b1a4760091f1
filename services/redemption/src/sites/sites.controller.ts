import { Body, Controller, Get, HttpCode, Param, ParseUUIDPipe, Patch, Post } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { AuthenticatedUser, CurrentUser, Roles } from '@app/auth';
import { AccreditSiteDto, DecisionDto } from './dto/accreditation.dto';
import { PayoutAccountDto, RegisterSiteDto, SiteView } from './dto/register-site.dto';
import { Site } from './site.model';
import { SitesService } from './sites.service';

@ApiTags('sites')
@Controller('sites')
export class SitesController {
  constructor(private readonly sites: SitesService) {}

  @Post()
  @Roles('operator')
  @ApiCreatedResponse({ type: SiteView })
  register(@Body() body: RegisterSiteDto, @CurrentUser() user: AuthenticatedUser): Promise<Site> {
    return this.sites.register(body, user);
  }

  @Get()
  @Roles('operator')
  @ApiOkResponse({ type: [SiteView] })
  list(): Promise<Site[]> {
    return this.sites.list();
  }

  @Get(':id')
  @Roles('operator', 'site')
  @ApiOkResponse({ type: SiteView })
  get(@Param('id', ParseUUIDPipe) id: string, @CurrentUser() user: AuthenticatedUser): Promise<Site> {
    return this.sites.get(id, user);
  }

  @Patch(':id/payout-account')
  @Roles('operator')
  @ApiOkResponse({ type: SiteView })
  setPayoutAccount(@Param('id', ParseUUIDPipe) id: string, @Body() body: PayoutAccountDto): Promise<Site> {
    return this.sites.setPayoutAccount(id, body);
  }

  @Post(':id/accreditation')
  @HttpCode(200)
  @Roles('operator')
  @ApiOkResponse({ type: SiteView })
  accredit(
    @Param('id', ParseUUIDPipe) id: string,
    @Body() body: AccreditSiteDto,
    @CurrentUser() user: AuthenticatedUser,
  ): Promise<Site> {
    return this.sites.accredit(id, body, user);
  }

  @Post(':id/suspension')
  @HttpCode(200)
  @Roles('operator')
  @ApiOkResponse({ type: SiteView })
  suspend(
    @Param('id', ParseUUIDPipe) id: string,
    @Body() body: DecisionDto,
    @CurrentUser() user: AuthenticatedUser,
  ): Promise<Site> {
    return this.sites.suspend(id, body, user);
  }

  @Post(':id/reinstatement')
  @HttpCode(200)
  @Roles('operator')
  @ApiOkResponse({ type: SiteView })
  reinstate(
    @Param('id', ParseUUIDPipe) id: string,
    @Body() body: DecisionDto,
    @CurrentUser() user: AuthenticatedUser,
  ): Promise<Site> {
    return this.sites.reinstate(id, body, user);
  }

  @Post(':id/revocation')
  @HttpCode(200)
  @Roles('operator')
  @ApiOkResponse({ type: SiteView })
  revoke(
    @Param('id', ParseUUIDPipe) id: string,
    @Body() body: DecisionDto,
    @CurrentUser() user: AuthenticatedUser,
  ): Promise<Site> {
    return this.sites.revoke(id, body, user);
  }
}
