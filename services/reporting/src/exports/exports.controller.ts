import { Controller, Get, Param, ParseUUIDPipe, Query, Res } from '@nestjs/common';
import { ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { once } from 'node:events';
import { AuthenticatedUser, CurrentUser, Roles } from '@app/auth';
import { ApiProblems } from '@app/platform';
import { PROGRAM_READ_PROBLEMS } from '../views/program-access.service';
import { RedemptionsExportQuery } from './dto/redemptions-export.query';
import { ExportsService } from './exports.service';

/** Writes the lines as they come, waiting whenever the client reads slower than the database pages. */
async function stream(response: Response, filename: string, lines: AsyncIterable<string>): Promise<void> {
  response.setHeader('Content-Type', 'text/csv; charset=utf-8');
  response.setHeader('Content-Disposition', `attachment; filename="${filename}"`);
  for await (const chunk of lines) {
    if (response.destroyed) return;
    if (!response.write(chunk)) await once(response, 'drain');
  }
  response.end();
}

@ApiTags('exports')
@Controller('exports')
export class ExportsController {
  constructor(private readonly exports: ExportsService) {}

  @Get('redemptions.csv')
  @Roles('operator', 'funder')
  @ApiProduces('text/csv')
  @ApiOperation({
    summary: "Export a program's redemptions (CSV)",
    description: 'Every redeemed pass of a program (UTF-8 with BOM, `;`, decimal comma), streamed',
  })
  @ApiProblems(PROGRAM_READ_PROBLEMS)
  async redemptions(
    @Query() query: RedemptionsExportQuery,
    @CurrentUser() user: AuthenticatedUser,
    @Res() response: Response,
  ): Promise<void> {
    await stream(response, `validations-${query.programId}.csv`, await this.exports.redemptions(user, query.programId));
  }

  @Get('programs/:id/aggregates.csv')
  @Roles('operator', 'funder')
  @ApiProduces('text/csv')
  @ApiOperation({
    summary: "Export a program's aggregates (CSV)",
    description: 'A program per agency, site, département and day (UTF-8 with BOM, `;`, decimal comma)',
  })
  @ApiProblems(PROGRAM_READ_PROBLEMS)
  async aggregates(
    @Param('id', ParseUUIDPipe) id: string,
    @CurrentUser() user: AuthenticatedUser,
    @Res() response: Response,
  ): Promise<void> {
    await stream(response, `agregats-${id}.csv`, await this.exports.aggregates(user, id));
  }
}
