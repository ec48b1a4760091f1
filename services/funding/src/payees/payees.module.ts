import { Module } from '@nestjs/common';
import { PayeeRepository } from './payee.repository';
import { PayeesService } from './payees.service';

@Module({
  providers: [PayeesService, PayeeRepository],
  exports: [PayeesService],
})
export class PayeesModule {}
