import { Controller, Get, HttpCode, Param, ParseUUIDPipe, Post } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { AuthenticatedUser, CurrentUser, Roles } from '@app/auth';
import { RebuildsService, RebuildView } from './rebuilds.service';

@ApiTags('rebuilds')
@Controller('rebuilds')
export class RebuildsController {
  constructor(private readonly rebuilds: RebuildsService) {}

  @Post()
  @HttpCode(202)
  @Roles('operator')
  @ApiOperation({
    summary:
      'Replays every retained topic into a new generation of the read models, then switches the API over; follow it with GET /rebuilds/:id',
  })
  start(@CurrentUser() user: AuthenticatedUser): Promise<RebuildView> {
    return this.rebuilds.start(user);
  }

  @Get()
  @Roles('operator')
  list(): Promise<RebuildView[]> {
    return this.rebuilds.list();
  }

  @Get(':id')
  @Roles('operator')
  get(@Param('id', ParseUUIDPipe) id: string): Promise<RebuildView> {
    return this.rebuilds.get(id);
  }
}
