import { Controller, Get, Param, ParseUUIDPipe, Post } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { AuthenticatedUser, CurrentUser, Roles } from '@app/auth';
import { ApiProblems } from '@app/platform';
import { CreditNote } from './credit-note.repository';
import { CreditNotesService } from './credit-notes.service';

@ApiTags('settlement')
@Controller('programs')
export class CreditNotesController {
  constructor(private readonly creditNotes: CreditNotesService) {}

  @Post(':id/credit-notes')
  @Roles('operator')
  @ApiOperation({
    summary: "Issue a program's credit notes",
    description:
      'After validity + tolerance and every expiry posted: one credit note per funding line for the value released; once',
  })
  @ApiProblems({
    404: ['PROGRAM_NOT_FOUND'],
    409: ['PROGRAM_VALIDITY_NOT_OVER', 'CREDIT_NOTES_ALREADY_ISSUED', 'PROGRAM_EXPIRIES_PENDING'],
  })
  issue(@Param('id', ParseUUIDPipe) id: string, @CurrentUser() user: AuthenticatedUser): Promise<CreditNote[]> {
    return this.creditNotes.issue(id, user);
  }

  @Get(':id/credit-notes')
  @Roles('operator', 'funder')
  @ApiOperation({ summary: "List a program's credit notes", description: 'A funder sees its own' })
  @ApiProblems({ 404: ['PROGRAM_NOT_FOUND'] })
  list(@Param('id', ParseUUIDPipe) id: string, @CurrentUser() user: AuthenticatedUser): Promise<CreditNote[]> {
    return this.creditNotes.list(id, user);
  }
}
