import { Body, Controller, Get, HttpCode, Param, ParseUUIDPipe, Patch, Post } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AuthenticatedUser, CurrentUser, Roles } from '@app/auth';
import { ApiProblems } from '@app/platform';
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
  @ApiOperation({ summary: 'Register a site', description: 'Pending until accredited' })
  @ApiProblems({
    422: [
      'SITE_IDENTIFIER_REQUIRED',
      'SITE_INSEE_CODE_UNKNOWN',
      'SITE_DEPARTEMENT_MISMATCH',
      'SITE_PAYOUT_ACCOUNT_INCOMPLETE',
    ],
  })
  register(@Body() body: RegisterSiteDto, @CurrentUser() user: AuthenticatedUser): Promise<Site> {
    return this.sites.register(body, user);
  }

  @Get()
  @Roles('operator')
  @ApiOkResponse({ type: [SiteView] })
  @ApiOperation({ summary: 'List the sites' })
  list(): Promise<Site[]> {
    return this.sites.list();
  }

  @Get(':id')
  @Roles('operator', 'site')
  @ApiOkResponse({ type: SiteView })
  @ApiOperation({ summary: 'Read a site' })
  @ApiProblems({ 403: ['AUTH_ORG_FORBIDDEN'], 404: ['SITE_NOT_FOUND'] })
  get(@Param('id', ParseUUIDPipe) id: string, @CurrentUser() user: AuthenticatedUser): Promise<Site> {
    return this.sites.get(id, user);
  }

  @Patch(':id/payout-account')
  @Roles('operator')
  @ApiOkResponse({ type: SiteView })
  @ApiOperation({ summary: "Set a site's payout account" })
  @ApiProblems({ 404: ['SITE_NOT_FOUND'] })
  setPayoutAccount(@Param('id', ParseUUIDPipe) id: string, @Body() body: PayoutAccountDto): Promise<Site> {
    return this.sites.setPayoutAccount(id, body);
  }

  @Post(':id/accreditation')
  @HttpCode(200)
  @Roles('operator')
  @ApiOkResponse({ type: SiteView })
  @ApiOperation({ summary: 'Accredit a site', description: 'Needs its payout account; until `validUntil`' })
  @ApiProblems({
    404: ['SITE_NOT_FOUND'],
    409: ['SITE_TRANSITION_NOT_ALLOWED', 'SITE_PAYOUT_ACCOUNT_MISSING'],
    422: ['ACCREDITATION_END_IN_PAST'],
  })
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
  @ApiOperation({ summary: "Suspend a site's accreditation" })
  @ApiProblems({ 404: ['SITE_NOT_FOUND'], 409: ['SITE_TRANSITION_NOT_ALLOWED'] })
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
  @ApiOperation({ summary: 'Reinstate a suspended site' })
  @ApiProblems({ 404: ['SITE_NOT_FOUND'], 409: ['SITE_TRANSITION_NOT_ALLOWED'] })
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
  @ApiOperation({ summary: "Revoke a site's accreditation" })
  @ApiProblems({ 404: ['SITE_NOT_FOUND'], 409: ['SITE_TRANSITION_NOT_ALLOWED'] })
  revoke(
    @Param('id', ParseUUIDPipe) id: string,
    @Body() body: DecisionDto,
    @CurrentUser() user: AuthenticatedUser,
  ): Promise<Site> {
    return this.sites.revoke(id, body, user);
  }
}
