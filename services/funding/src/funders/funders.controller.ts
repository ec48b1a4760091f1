import { Body, Controller, Get, Param, ParseUUIDPipe, Post } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { AuthenticatedUser, CurrentUser, Roles } from '@app/auth';
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
  register(@Body() body: RegisterFunderDto, @CurrentUser() user: AuthenticatedUser): Promise<Funder> {
    return this.funders.register(body, user);
  }

  @Get()
  @Roles('operator', 'funder')
  @ApiOkResponse({ type: [FunderView] })
  list(@CurrentUser() user: AuthenticatedUser): Promise<Funder[]> {
    return this.funders.list(user);
  }

  @Get(':id')
  @Roles('operator', 'funder')
  @ApiOkResponse({ type: FunderView })
  get(@Param('id', ParseUUIDPipe) id: string, @CurrentUser() user: AuthenticatedUser): Promise<Funder> {
    return this.funders.get(id, user);
  }
}
