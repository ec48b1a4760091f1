import { Module } from '@nestjs/common';
import { PayeeRepository } from './payee.repository';
import { PayeesController } from './payees.controller';
import { PayeesService } from './payees.service';

@Module({
  controllers: [PayeesController],
  providers: [PayeesService, PayeeRepository],
  exports: [PayeesService],
})
export class PayeesModule {}
