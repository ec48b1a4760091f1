import { Module } from '@nestjs/common';
import { BookletsModule } from '../booklets/booklets.module';
import { ProgramsModule } from '../programs/programs.module';
import { PrintingController } from './printing.controller';
import { PrintingService } from './printing.service';

@Module({
  imports: [BookletsModule, ProgramsModule],
  controllers: [PrintingController],
  providers: [PrintingService],
})
export class PrintingModule {}
