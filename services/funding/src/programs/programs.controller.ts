import { Body, Controller, Get, Param, ParseUUIDPipe, Post, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { AuthenticatedUser, CurrentUser, Roles } from '@app/auth';
import type { Paged } from '@app/platform';
import { ApiProblems } from '@app/platform';
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
  @ApiOperation({ summary: 'Open a program', description: 'With its funding lines, whose shares total 100 %' })
  @ApiProblems({
    422: [
      'FUNDING_LINE_DUPLICATED',
      'FUNDING_SHARES_NOT_100_PERCENT',
      'FUNDER_NOT_FOUND',
      'LEAD_FUNDER_NOT_A_FUNDER',
      'PROGRAM_DATES_INVALID',
    ],
  })
  open(@Body() body: OpenProgramDto, @CurrentUser() user: AuthenticatedUser): Promise<Program> {
    return this.programs.open(body, user);
  }

  @Get()
  @Roles('operator', 'funder')
  @ApiOperation({ summary: 'List the programs', description: 'A funder sees those it funds; paged' })
  list(@Query() query: ProgramsQuery, @CurrentUser() user: AuthenticatedUser): Promise<Paged<Program>> {
    return this.programs.list(user, query.page, query.pageSize);
  }

  @Get(':id')
  @Roles('operator', 'funder')
  @ApiOperation({ summary: 'Read a program' })
  @ApiProblems({ 404: ['PROGRAM_NOT_FOUND'] })
  get(@Param('id', ParseUUIDPipe) id: string, @CurrentUser() user: AuthenticatedUser): Promise<Program> {
    return this.programs.getReadable(id, user);
  }

  @Post(':id/budget-increases')
  @Roles('operator')
  @ApiOperation({ summary: "Increase a program's budget" })
  @ApiProblems({ 404: ['PROGRAM_NOT_FOUND'], 409: ['PROGRAM_CLOSED'] })
  increaseBudget(
    @Param('id', ParseUUIDPipe) id: string,
    @Body() body: IncreaseBudgetDto,
    @CurrentUser() user: AuthenticatedUser,
  ): Promise<Program> {
    return this.programs.increaseBudget(id, body, user);
  }

  @Post(':id/closure')
  @Roles('operator')
  @ApiOperation({ summary: 'Close a program' })
  @ApiProblems({ 404: ['PROGRAM_NOT_FOUND'], 409: ['PROGRAM_CLOSED'] })
  close(
    @Param('id', ParseUUIDPipe) id: string,
    @Body() body: CloseProgramDto,
    @CurrentUser() user: AuthenticatedUser,
  ): Promise<Program> {
    return this.programs.close(id, body, user);
  }

  @Get(':id/balances')
  @Roles('operator', 'funder')
  @ApiOperation({
    summary: "Read a program's balances",
    description: 'Per account kind, per funding line and per account',
  })
  @ApiProblems({ 404: ['PROGRAM_NOT_FOUND'] })
  balances(@Param('id', ParseUUIDPipe) id: string, @CurrentUser() user: AuthenticatedUser): Promise<ProgramBalances> {
    return this.programs.balances(id, user);
  }

  @Get(':id/transfers')
  @Roles('operator', 'funder')
  @ApiOperation({ summary: "List a program's ledger transfers" })
  @ApiProblems({ 404: ['PROGRAM_NOT_FOUND'] })
  transfers(
    @Param('id', ParseUUIDPipe) id: string,
    @Query() query: TransfersQuery,
    @CurrentUser() user: AuthenticatedUser,
  ): Promise<Paged<TransferView>> {
    return this.programs.transfers(id, user, query.page, query.pageSize);
  }
}
