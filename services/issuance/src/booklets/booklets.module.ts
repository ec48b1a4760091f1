import { Module } from '@nestjs/common';
import { AgenciesModule } from '../agencies/agencies.module';
import { AllocationsModule } from '../allocations/allocations.module';
import { ProgramsModule } from '../programs/programs.module';
import { BookletRepository } from './booklet.repository';
import { BookletsController } from './booklets.controller';
import { BookletsService } from './booklets.service';
import { PassCodeCipher } from './pass-code-cipher';

@Module({
  imports: [AgenciesModule, ProgramsModule, AllocationsModule],
  controllers: [BookletsController],
  providers: [BookletsService, BookletRepository, PassCodeCipher],
  exports: [BookletsService, BookletRepository, PassCodeCipher],
})
export class BookletsModule {}
