import { Body, Controller, Param, ParseUUIDPipe, Post } from '@nestjs/common';
import { ApiCreatedResponse, ApiTags } from '@nestjs/swagger';
import { AuthenticatedUser, CurrentUser, Roles } from '@app/auth';
import { RequestVoidDto, VoidRequestView } from './dto/void-request.dto';
import { VoidsService } from './voids.service';

@ApiTags('voids')
@Controller()
export class VoidsController {
  constructor(private readonly voids: VoidsService) {}

  @Post('booklets/:id/void')
  @Roles('counselor')
  @ApiCreatedResponse({ type: [VoidRequestView], description: 'One pending request per pass' })
  voidBooklet(
    @Param('id', ParseUUIDPipe) id: string,
    @Body() body: RequestVoidDto,
    @CurrentUser() user: AuthenticatedUser,
  ): Promise<VoidRequestView[]> {
    return this.voids.voidBooklet(id, body, user);
  }

  @Post('passes/:id/void')
  @Roles('counselor')
  @ApiCreatedResponse({ type: [VoidRequestView] })
  voidPass(
    @Param('id', ParseUUIDPipe) id: string,
    @Body() body: RequestVoidDto,
    @CurrentUser() user: AuthenticatedUser,
  ): Promise<VoidRequestView[]> {
    return this.voids.voidPass(id, body, user);
  }
}
