import { Body, Controller, Get, Param, ParseUUIDPipe, Post, Query } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { AuthenticatedUser, CurrentUser, Roles } from '@app/auth';
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
  issue(@Body() body: IssueBookletDto, @CurrentUser() user: AuthenticatedUser): Promise<IssuedBookletView> {
    return this.booklets.issue(body, user);
  }

  @Get()
  @Roles('counselor', 'operator')
  @ApiOkResponse({ type: BookletPageView })
  list(@Query() query: ListBookletsQuery, @CurrentUser() user: AuthenticatedUser): Promise<BookletPageView> {
    return this.booklets.list(query, user);
  }

  @Get(':id')
  @Roles('counselor', 'operator')
  @ApiOkResponse({ type: BookletView })
  get(@Param('id', ParseUUIDPipe) id: string, @CurrentUser() user: AuthenticatedUser): Promise<BookletView> {
    return this.booklets.get(id, user);
  }
}
