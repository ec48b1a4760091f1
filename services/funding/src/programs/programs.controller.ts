import { Body, Controller, Get, Param, ParseUUIDPipe, Post, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { AuthenticatedUser, CurrentUser, Roles } from '@app/auth';
import type { Paged } from '@app/platform';
import { ProgramBalances } from '../ledger/ledger.service';
import { TransferView } from '../ledger/ledger.repository';
import { CloseProgramDto, IncreaseBudgetDto, OpenProgramDto, ProgramsQuery, TransfersQuery } from './dto/program.dto';
import { Program } from './program.entity';
import { ProgramsService } from './programs.service';

@ApiTags('programs')
@Controller('programs')
export class ProgramsController {
  constructor(private readonly programs: ProgramsService) {}

  @Post()
  @Roles('operator')
  open(@Body() body: OpenProgramDto, @CurrentUser() user: AuthenticatedUser): Promise<Program> {
    return this.programs.open(body, user);
  }

  @Get()
  @Roles('operator', 'funder')
  list(@Query() query: ProgramsQuery, @CurrentUser() user: AuthenticatedUser): Promise<Paged<Program>> {
    return this.programs.list(user, query.page, query.pageSize);
  }

  @Get(':id')
  @Roles('operator', 'funder')
  get(@Param('id', ParseUUIDPipe) id: string, @CurrentUser() user: AuthenticatedUser): Promise<Program> {
    return this.programs.getReadable(id, user);
  }

  @Post(':id/budget-increases')
  @Roles('operator')
  increaseBudget(
    @Param('id', ParseUUIDPipe) id: string,
    @Body() body: IncreaseBudgetDto,
    @CurrentUser() user: AuthenticatedUser,
  ): Promise<Program> {
    return this.programs.increaseBudget(id, body, user);
  }

  @Post(':id/closure')
  @Roles('operator')
  close(
    @Param('id', ParseUUIDPipe) id: string,
    @Body() body: CloseProgramDto,
    @CurrentUser() user: AuthenticatedUser,
  ): Promise<Program> {
    return this.programs.close(id, body, user);
  }

  /** Balances per account kind, per funding line and per account. */
  @Get(':id/balances')
  @Roles('operator', 'funder')
  balances(@Param('id', ParseUUIDPipe) id: string, @CurrentUser() user: AuthenticatedUser): Promise<ProgramBalances> {
    return this.programs.balances(id, user);
  }

  @Get(':id/transfers')
  @Roles('operator', 'funder')
  transfers(
    @Param('id', ParseUUIDPipe) id: string,
    @Query() query: TransfersQuery,
    @CurrentUser() user: AuthenticatedUser,
  ): Promise<Paged<TransferView>> {
    return this.programs.transfers(id, user, query.page, query.pageSize);
  }
}
