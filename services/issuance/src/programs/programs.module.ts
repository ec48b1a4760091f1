import { Module } from '@nestjs/common';
import { ProgramRepository } from './program.repository';
import { ProgramsService } from './programs.service';

@Module({
  providers: [ProgramsService, ProgramRepository],
  exports: [ProgramsService, ProgramRepository],
})
export class ProgramsModule {}
