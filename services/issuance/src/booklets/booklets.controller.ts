import { Body, Controller, Get, Param, ParseUUIDPipe, Post, Query } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AuthenticatedUser, CurrentUser, Roles } from '@app/auth';
import { ApiProblems } from '@app/platform';
import { ISSUING_PROBLEMS } from './booklet-issuer';
import { BookletsService } from './booklets.service';
import { BookletPageView, BookletView, IssuedBookletView } from './dto/booklet.views';
import { IssueBookletDto } from './dto/issue-booklet.dto';
import { ListBookletsQuery } from './dto/list-booklets.query';

@ApiTags('booklets')
@Controller('booklets')
export class BookletsController {
  constructor(private readonly booklets: BookletsService) {}

  @Post()
  @Roles('counselor')
  @ApiCreatedResponse({
    type: IssuedBookletView,
    description: 'The booklet with its codes, for printing: the only answer that shows them',
  })
  @ApiOperation({ summary: 'Issue a booklet' })
  @ApiProblems(ISSUING_PROBLEMS)
  issue(@Body() body: IssueBookletDto, @CurrentUser() user: AuthenticatedUser): Promise<IssuedBookletView> {
    return this.booklets.issue(body, user);
  }

  @Get()
  @Roles('counselor', 'operator')
  @ApiOkResponse({ type: BookletPageView })
  @ApiOperation({ summary: 'List booklets', description: "A counselor sees its own agency's booklets only" })
  @ApiProblems({ 403: ['AGENCY_NOT_FOUND'] })
  list(@Query() query: ListBookletsQuery, @CurrentUser() user: AuthenticatedUser): Promise<BookletPageView> {
    return this.booklets.list(query, user);
  }

  @Get(':id')
  @Roles('counselor', 'operator')
  @ApiOkResponse({ type: BookletView })
  @ApiOperation({ summary: 'Read a booklet and its passes (no codes)' })
  @ApiProblems({ 404: ['BOOKLET_NOT_FOUND'] })
  get(@Param('id', ParseUUIDPipe) id: string, @CurrentUser() user: AuthenticatedUser): Promise<BookletView> {
    return this.booklets.get(id, user);
  }
}
