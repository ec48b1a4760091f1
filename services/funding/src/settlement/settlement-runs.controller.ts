import { Body, Controller, Get, Header, Param, ParseUUIDPipe, Post, StreamableFile } from '@nestjs/common';
import { ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import { AuthenticatedUser, CurrentUser, Roles } from '@app/auth';
import { ApiProblems } from '@app/platform';
import { StartSettlementRunDto } from './dto/settlement.dto';
import { SettlementRun, Statement, StatementLine } from './settlement.repository';
import { FunderStatement, RunView, SettlementRunsService } from './settlement-runs.service';

@ApiTags('settlement')
@Controller('settlement-runs')
export class SettlementRunsController {
  constructor(private readonly settlement: SettlementRunsService) {}

  @Post()
  @Roles('operator')
  @ApiOperation({
    summary: 'Settle a month',
    description:
      'The previous month (Europe/Paris) unless one is given: one statement per site; a period is settled once',
  })
  @ApiProblems({ 409: ['SETTLEMENT_PERIOD_ALREADY_RUN'], 422: ['SETTLEMENT_PERIOD_NOT_OVER'] })
  start(@Body() body: StartSettlementRunDto, @CurrentUser() user: AuthenticatedUser): Promise<RunView> {
    return this.settlement.start(body.period, user.subject);
  }

  @Get()
  @Roles('operator')
  @ApiOperation({ summary: 'List the settlement runs' })
  list(): Promise<SettlementRun[]> {
    return this.settlement.list();
  }

  @Get(':id')
  @Roles('operator')
  @ApiOperation({
    summary: 'Read a settlement run',
    description:
      'The run, its statements, payment file totals and time to pay (median and worst, redemption to payment)',
  })
  @ApiProblems({ 404: ['SETTLEMENT_RUN_NOT_FOUND'] })
  get(@Param('id', ParseUUIDPipe) id: string): Promise<RunView> {
    return this.settlement.view(id);
  }

  @Get(':id/sepa')
  @Roles('operator')
  @ApiProduces('application/xml')
  @ApiOperation({
    summary: 'Download the SEPA payment file',
    description: 'ISO 20022 pain.001.001.03: one transfer per statement not held',
  })
  @ApiProblems({ 404: ['SETTLEMENT_RUN_NOT_FOUND'], 409: ['SETTLEMENT_NOTHING_TO_PAY'] })
  async sepa(@Param('id', ParseUUIDPipe) id: string): Promise<StreamableFile> {
    const { fileName, xml } = await this.settlement.sepaFile(id);
    return new StreamableFile(Buffer.from(xml, 'utf8'), {
      type: 'application/xml; charset=utf-8',
      disposition: `attachment; filename="${fileName}"`,
    });
  }

  @Post(':id/payment-confirmation')
  @Roles('operator')
  @ApiOperation({
    summary: 'Confirm the payment of a run',
    description: 'The bank executed the payment file: payable moves to paid; once',
  })
  @ApiProblems({ 404: ['SETTLEMENT_RUN_NOT_FOUND'], 409: ['SETTLEMENT_RUN_ALREADY_PAID'] })
  confirm(@Param('id', ParseUUIDPipe) id: string, @CurrentUser() user: AuthenticatedUser): Promise<RunView> {
    return this.settlement.confirmPayment(id, user.subject);
  }

  @Get(':id/funder-statements')
  @Roles('operator', 'funder')
  @ApiOperation({
    summary: "Read the funders' shares of a run",
    description: "Each funder's share of what the run pays, per program (a funder sees its own)",
  })
  @ApiProblems({ 404: ['SETTLEMENT_RUN_NOT_FOUND'] })
  funderStatements(
    @Param('id', ParseUUIDPipe) id: string,
    @CurrentUser() user: AuthenticatedUser,
  ): Promise<FunderStatement[]> {
    return this.settlement.funderStatements(id, user);
  }

  @Get(':id/statements/:statementId')
  @Roles('operator', 'site')
  @ApiOperation({ summary: "Read a site's statement", description: 'A site reads its own' })
  @ApiProblems({ 404: ['SETTLEMENT_STATEMENT_NOT_FOUND'] })
  statement(
    @Param('id', ParseUUIDPipe) id: string,
    @Param('statementId', ParseUUIDPipe) statementId: string,
    @CurrentUser() user: AuthenticatedUser,
  ): Promise<Statement & { period: string; lines: StatementLine[] }> {
    return this.settlement.statement(id, statementId, user);
  }

  @Get(':id/statements/:statementId/pdf')
  @Roles('operator', 'site')
  @ApiProduces('application/pdf')
  @Header('Cache-Control', 'no-store')
  @ApiOperation({ summary: "Download a site's statement (PDF)", description: 'A site reads its own' })
  @ApiProblems({ 404: ['SETTLEMENT_STATEMENT_NOT_FOUND'] })
  async pdf(
    @Param('id', ParseUUIDPipe) id: string,
    @Param('statementId', ParseUUIDPipe) statementId: string,
    @CurrentUser() user: AuthenticatedUser,
  ): Promise<StreamableFile> {
    const { reference, pdf } = await this.settlement.statementPdf(id, statementId, user);
    return new StreamableFile(pdf, {
      type: 'application/pdf',
      disposition: `attachment; filename="releve-${reference}.pdf"`,
    });
  }
}
