import { Controller, Get, Header, Param, ParseUUIDPipe, StreamableFile } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import { AuthenticatedUser, CurrentUser, Roles } from '@app/auth';
import { ApiProblems } from '@app/platform';
import { PrintingService } from './printing.service';

@ApiTags('booklets')
@Controller('booklets')
export class PrintingController {
  constructor(private readonly printing: PrintingService) {}

  @Get(':id/pdf')
  @Roles('counselor', 'operator')
  @ApiProduces('application/pdf')
  @ApiOkResponse({ description: 'The printable A4 booklet (each print is recorded)' })
  // The PDF holds the codes: no cache may keep a copy.
  @Header('Cache-Control', 'no-store')
  @ApiOperation({ summary: 'Print a booklet (PDF with its codes)' })
  @ApiProblems({ 404: ['BOOKLET_NOT_FOUND'] })
  async pdf(@Param('id', ParseUUIDPipe) id: string, @CurrentUser() user: AuthenticatedUser): Promise<StreamableFile> {
    const pdf = await this.printing.print(id, user);
    return new StreamableFile(pdf, { type: 'application/pdf', disposition: `attachment; filename="carnet-${id}.pdf"` });
  }
}
