import { Column, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';

/** A realtime table: every INSERT, UPDATE and DELETE reaches `table:public.sample_products`. */
@Entity({ name: 'sample_products' })
export class Product {
  @PrimaryGeneratedColumn()
  id!: number;

  @Column({ type: 'text' })
  name!: string;

  // numeric comes back from pg as a string; the change feed sends it as a JSON number.
  @Column({ type: 'numeric', precision: 10, scale: 2 })
  price!: string;

  @Column({ type: 'integer', default: 0 })
  stock!: number;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
