import { Controller, HttpCode, Post, Req, UploadedFile, UseInterceptors } from '@nestjs/common';
import { FileInterceptor } from '@nestjs/platform-express';
import { ApiBody, ApiConsumes, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Request } from 'express';
import { AuthenticatedUser, CurrentUser, Roles } from '@app/auth';
import { ApiProblems, Problem } from '@app/platform';
import { ImportReport, SiteImportService } from './site-import.service';

const MAX_BYTES = 50 * 1024 * 1024;

/** The body as text: a text/csv body is not parsed by the JSON parser, so the request stream is still unread. */
async function readBody(request: Request): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > MAX_BYTES)
      throw Problem.unprocessable('IMPORT_FILE_TOO_LARGE', 'Le fichier dépasse 50 Mo : découpez-le.');
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

@ApiTags('sites')
@Controller('sites/import')
export class SiteImportController {
  constructor(private readonly imports: SiteImportService) {}

  @Post()
  @HttpCode(200)
  @Roles('operator')
  @UseInterceptors(FileInterceptor('file', { limits: { fileSize: MAX_BYTES } }))
  @ApiConsumes('text/csv', 'multipart/form-data')
  @ApiBody({ schema: { type: 'string', format: 'binary' } })
  @ApiOkResponse({
    description: '{ counts, durationMs, rows: [{ row, id, outcome: created|updated|unchanged|rejected, errors[] }] }',
  })
  @ApiOperation({
    summary: 'Import the national sites CSV',
    description:
      'The national "Lieux de médiation numérique" file, as a text/csv body or a multipart `file` of at most 50 MB: new sites are registered (pending), known ones updated; a report per row',
  })
  @ApiProblems({
    400: ['IMPORT_FILE_INVALID', 'BAD_REQUEST'],
    413: ['PAYLOAD_TOO_LARGE'],
    422: ['IMPORT_FILE_EMPTY', 'IMPORT_FILE_TOO_LARGE'],
  })
  async import(
    @Req() request: Request,
    @UploadedFile() file: { buffer: Buffer } | undefined,
    @CurrentUser() user: AuthenticatedUser,
  ): Promise<ImportReport> {
    const text = file ? file.buffer.toString('utf8') : await readBody(request);
    if (!text.trim()) throw Problem.unprocessable('IMPORT_FILE_EMPTY', 'Le fichier envoyé est vide.');
    return this.imports.importCsv(text, user);
  }
}
