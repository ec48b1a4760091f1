import { Module } from '@nestjs/common';
import { BookletsModule } from '../booklets/booklets.module';
import { VoidRequestRepository } from './void-request.repository';
import { VoidsController } from './voids.controller';
import { VoidsService } from './voids.service';

@Module({
  imports: [BookletsModule],
  controllers: [VoidsController],
  providers: [VoidsService, VoidRequestRepository],
  exports: [VoidRequestRepository],
})
export class VoidsModule {}
