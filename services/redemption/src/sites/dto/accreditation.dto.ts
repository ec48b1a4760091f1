import { ApiProperty } from '@nestjs/swagger';
import { IsString, Length } from 'class-validator';
import { IsCalendarDate } from '@app/validation';

export class DecisionDto {
  @ApiProperty({ example: 'Contrôle sur place du 12 mars' })
  @IsString()
  @Length(1, 500)
  reason: string;
}

export class AccreditSiteDto extends DecisionDto {
  @ApiProperty({ example: '2027-12-31', description: 'Last day (Europe/Paris) the site may redeem' })
  @IsCalendarDate()
  validUntil: string;
}
