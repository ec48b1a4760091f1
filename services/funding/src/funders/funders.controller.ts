import { Body, Controller, Get, Param, ParseUUIDPipe, Post } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AuthenticatedUser, CurrentUser, Roles } from '@app/auth';
import { ApiProblems } from '@app/platform';
import { FunderView, RegisterFunderDto } from './dto/register-funder.dto';
import { Funder } from './funder.entity';
import { FundersService } from './funders.service';

@ApiTags('funders')
@Controller('funders')
export class FundersController {
  constructor(private readonly funders: FundersService) {}

  @Post()
  @Roles('operator')
  @ApiCreatedResponse({ type: FunderView })
  @ApiOperation({ summary: 'Register a funder' })
  @ApiProblems({ 409: ['FUNDER_ALREADY_REGISTERED'] })
  register(@Body() body: RegisterFunderDto, @CurrentUser() user: AuthenticatedUser): Promise<Funder> {
    return this.funders.register(body, user);
  }

  @Get()
  @Roles('operator', 'funder')
  @ApiOkResponse({ type: [FunderView] })
  @ApiOperation({ summary: 'List the funders', description: 'A funder sees itself' })
  list(@CurrentUser() user: AuthenticatedUser): Promise<Funder[]> {
    return this.funders.list(user);
  }

  @Get(':id')
  @Roles('operator', 'funder')
  @ApiOkResponse({ type: FunderView })
  @ApiOperation({ summary: 'Read a funder' })
  @ApiProblems({ 403: ['AUTH_ORG_FORBIDDEN'], 404: ['FUNDER_NOT_FOUND'] })
  get(@Param('id', ParseUUIDPipe) id: string, @CurrentUser() user: AuthenticatedUser): Promise<Funder> {
    return this.funders.get(id, user);
  }
}
