import { Controller, Get, HttpCode, Param, ParseUUIDPipe, Post } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { AuthenticatedUser, CurrentUser, Roles } from '@app/auth';
import { ApiProblems } from '@app/platform';
import { RebuildsService, RebuildView } from './rebuilds.service';

@ApiTags('rebuilds')
@Controller('rebuilds')
export class RebuildsController {
  constructor(private readonly rebuilds: RebuildsService) {}

  @Post()
  @HttpCode(202)
  @Roles('operator')
  @ApiOperation({
    summary: 'Rebuild the read models',
    description:
      'Replays every retained topic into a new generation of the read models, then switches the API over; follow it with GET /rebuilds/:id',
  })
  @ApiProblems({ 409: ['REBUILD_ALREADY_RUNNING'] })
  start(@CurrentUser() user: AuthenticatedUser): Promise<RebuildView> {
    return this.rebuilds.start(user);
  }

  @Get()
  @Roles('operator')
  @ApiOperation({ summary: 'List the rebuilds' })
  list(): Promise<RebuildView[]> {
    return this.rebuilds.list();
  }

  @Get(':id')
  @Roles('operator')
  @ApiOperation({ summary: 'Read a rebuild' })
  @ApiProblems({ 404: ['REBUILD_NOT_FOUND'] })
  get(@Param('id', ParseUUIDPipe) id: string): Promise<RebuildView> {
    return this.rebuilds.get(id);
  }
}
