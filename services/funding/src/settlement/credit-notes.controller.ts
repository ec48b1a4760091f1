import { Controller, Get, Param, ParseUUIDPipe, Post } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { AuthenticatedUser, CurrentUser, Roles } from '@app/auth';
import { CreditNote } from './credit-note.repository';
import { CreditNotesService } from './credit-notes.service';

@ApiTags('settlement')
@Controller('programs')
export class CreditNotesController {
  constructor(private readonly creditNotes: CreditNotesService) {}

  @Post(':id/credit-notes')
  @Roles('operator')
  @ApiOperation({
    summary:
      'After validity + tolerance and every expiry posted: one credit note per funding line for the value released; once (409 after)',
  })
  issue(@Param('id', ParseUUIDPipe) id: string, @CurrentUser() user: AuthenticatedUser): Promise<CreditNote[]> {
    return this.creditNotes.issue(id, user);
  }

  @Get(':id/credit-notes')
  @Roles('operator', 'funder')
  list(@Param('id', ParseUUIDPipe) id: string, @CurrentUser() user: AuthenticatedUser): Promise<CreditNote[]> {
    return this.creditNotes.list(id, user);
  }
}
