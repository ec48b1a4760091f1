import { Body, Controller, Param, ParseUUIDPipe, Post } from '@nestjs/common';
import { ApiCreatedResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AuthenticatedUser, CurrentUser, Roles } from '@app/auth';
import { ApiProblems } from '@app/platform';
import { RequestVoidDto, VoidRequestView } from './dto/void-request.dto';
import { VoidsService } from './voids.service';

@ApiTags('voids')
@Controller()
export class VoidsController {
  constructor(private readonly voids: VoidsService) {}

  @Post('booklets/:id/void')
  @Roles('counselor')
  @ApiCreatedResponse({ type: [VoidRequestView], description: 'One pending request per pass' })
  @ApiOperation({
    summary: 'Ask to void a whole booklet',
    description: 'Only a booklet none of whose passes was used, voided or expired; redemption decides',
  })
  @ApiProblems({ 404: ['BOOKLET_NOT_FOUND'], 409: ['BOOKLET_NOT_UNUSED', 'VOID_ALREADY_REQUESTED'] })
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
  @ApiOperation({ summary: 'Ask to void a pass', description: 'Redemption decides' })
  @ApiProblems({ 404: ['PASS_NOT_FOUND'], 409: ['PASS_NOT_VOIDABLE', 'VOID_ALREADY_REQUESTED'] })
  voidPass(
    @Param('id', ParseUUIDPipe) id: string,
    @Body() body: RequestVoidDto,
    @CurrentUser() user: AuthenticatedUser,
  ): Promise<VoidRequestView[]> {
    return this.voids.voidPass(id, body, user);
  }
}
