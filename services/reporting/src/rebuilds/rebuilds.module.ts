import { Module } from '@nestjs/common';
import { ProjectionModule } from '../projection/projection.module';
import { RebuildRepository } from './rebuild.repository';
import { RebuildsController } from './rebuilds.controller';
import { RebuildsService } from './rebuilds.service';

@Module({
  imports: [ProjectionModule],
  controllers: [RebuildsController],
  providers: [RebuildRepository, RebuildsService],
})
export class RebuildsModule {}
